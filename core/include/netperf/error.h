// The control-path error type: one message that names the object and the
// cause, printed by the tools as a single line before a non-zero exit.
#ifndef NETPERF_ERROR_H
#define NETPERF_ERROR_H

#include <stdexcept>
#include <string>

namespace netperf {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace netperf

#endif
