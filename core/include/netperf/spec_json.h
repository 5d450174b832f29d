// TestSpec <-> JSON, for the modern control protocol and result files.
// from_json is strict: a field of the wrong type or out of range is an
// Error naming the field, so a malformed request never reaches the engine.
#ifndef NETPERF_SPEC_JSON_H
#define NETPERF_SPEC_JSON_H

#include <nlohmann/json.hpp>

#include <netperf/spec.h>

namespace netperf {

nlohmann::json spec_to_json(const TestSpec &s);
TestSpec spec_from_json(const nlohmann::json &j);

}  // namespace netperf

#endif
