// Loading transport plugins (Boost.DLL) and checking their ABI.
//
//   auto t = netperf::load_transport("sockets");   // throws netperf::Error
//   const np_transport_ops &ops = t->ops();
//
// Search order: every directory in $NETPERF_PLUGIN_PATH (colon separated),
// the build tree's transports/ (when running from the build directory), then
// the install directory <libdir>/netperf/transports.  A plugin file is named
// np-transport-<name>.so.
#ifndef NETPERF_TRANSPORT_H
#define NETPERF_TRANSPORT_H

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <netperf/error.h>
#include <netperf/transport_abi.h>

namespace netperf {

class Transport {
  public:
    ~Transport();
    Transport(const Transport &) = delete;
    Transport &operator=(const Transport &) = delete;

    const np_transport_ops &ops() const { return *ops_; }
    const std::string &name() const { return name_; }
    const std::string &path() const { return path_; }
    bool has_cap(uint32_t cap) const { return (ops_->caps & cap) == cap; }

    // Runs the plugin's probe: empty if usable, else the reason.
    std::string probe() const;

    // Checks name=value options against the plugin's option table; throws
    // Error naming the option and the transport.
    void validate_options(const std::vector<std::pair<std::string, std::string>> &opts) const;

    // Loads the plugin in `path` and checks its table.
    static std::unique_ptr<Transport> open(const std::string &path);

  private:
    Transport() = default;
    struct Lib;
    std::unique_ptr<Lib> lib_;
    const np_transport_ops *ops_ = nullptr;
    std::string name_, path_;
};

// Checks a transport table as the loader does; empty if acceptable, else the
// reason ("ABI version 2 is not supported: this netperf speaks version 1").
std::string check_transport_ops(const np_transport_ops *ops);

// Directories searched for plugins, in order.
std::vector<std::string> plugin_search_path();

// Finds np-transport-<name>.so on the search path and loads it.
std::unique_ptr<Transport> load_transport(const std::string &name);

// Every plugin file found on the search path (first one wins per name).
std::vector<std::string> find_transport_files();

// Loads a transport once per process and probes it; throws Error when it
// cannot be found, is refused, or cannot run here (netserver serves many
// sessions from one loaded plugin).
const Transport &cached_transport(const std::string &name);

}  // namespace netperf

#endif
