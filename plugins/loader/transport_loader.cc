// Plugin loader: Boost.DLL opens the shared object, the table is checked
// before anything in it is called (fio's check_engine_ops, DPDK's version
// checks): ABI version, table size, mandatory ops.
#define BOOST_DLL_USE_STD_FS
#include <netperf/transport.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>

#include <boost/dll/shared_library.hpp>

namespace netperf {

namespace fs = std::filesystem;

struct Transport::Lib {
    boost::dll::shared_library lib;
};

Transport::~Transport() = default;

std::string check_transport_ops(const np_transport_ops *ops) {
    if (!ops) return "the entry point returned no table";
    if (ops->abi_version != NP_TRANSPORT_ABI_VERSION) {
        std::ostringstream m;
        m << "ABI version " << ops->abi_version << " is not supported: this netperf speaks ABI version "
          << NP_TRANSPORT_ABI_VERSION;
        return m.str();
    }
    if (ops->struct_size < offsetof(np_transport_ops, stats)) {
        std::ostringstream m;
        m << "ops table of " << ops->struct_size << " bytes is smaller than ABI version "
          << NP_TRANSPORT_ABI_VERSION << " requires (" << offsetof(np_transport_ops, stats) << ")";
        return m.str();
    }
    if (!ops->name || !*ops->name) return "the table has no name";
    struct {
        const char *name;
        const void *fn;
    } mandatory[] = {
        {"probe", reinterpret_cast<const void *>(ops->probe)},
        {"ctx_create", reinterpret_cast<const void *>(ops->ctx_create)},
        {"ctx_destroy", reinterpret_cast<const void *>(ops->ctx_destroy)},
        {"listen", reinterpret_cast<const void *>(ops->listen)},
        {"ep_info", reinterpret_cast<const void *>(ops->ep_info)},
        {"ep_close", reinterpret_cast<const void *>(ops->ep_close)},
        {"stage", reinterpret_cast<const void *>(ops->stage)},
        {"commit", reinterpret_cast<const void *>(ops->commit)},
        {"reap", reinterpret_cast<const void *>(ops->reap)},
    };
    for (auto &m : mandatory)
        if (!m.fn) return std::string("mandatory op '") + m.name + "' is missing";
    if ((ops->caps & NP_CAP_DGRAM) && !ops->ep_set_peer)
        return "mandatory op 'ep_set_peer' is missing (the transport declares datagrams)";
    for (uint32_t i = 0; i < ops->n_options; i++)
        if (!ops->options || !ops->options[i].name || !ops->options[i].default_value)
            return "option table entry " + std::to_string(i) + " is incomplete";
    return {};
}

std::unique_ptr<Transport> Transport::open(const std::string &path) {
    std::unique_ptr<Transport> t(new Transport());
    t->lib_ = std::make_unique<Lib>();
    t->path_ = path;
    try {
        t->lib_->lib.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception &e) {
        throw Error("transport plugin " + path + " failed to load: " + e.what());
    }
    if (!t->lib_->lib.has(NP_TRANSPORT_ENTRY_SYMBOL))
        throw Error("transport plugin " + path + " has no symbol " NP_TRANSPORT_ENTRY_SYMBOL);
    auto entry = t->lib_->lib.get<const np_transport_ops *()>(NP_TRANSPORT_ENTRY_SYMBOL);
    t->ops_ = entry();
    std::string why = check_transport_ops(t->ops_);
    if (!why.empty()) throw Error("transport plugin " + path + " refused: " + why);
    t->name_ = t->ops_->name;
    return t;
}

std::string Transport::probe() const {
    char why[NP_ERRLEN] = "";
    int r = ops_->probe(why, sizeof why);
    if (r == 0) return {};
    if (!*why) snprintf(why, sizeof why, "%s: probe failed (%s)", name_.c_str(), strerror(-r));
    return why;
}

void Transport::validate_options(const std::vector<std::pair<std::string, std::string>> &opts) const {
    for (auto &[k, v] : opts) {
        const np_option_desc *d = nullptr;
        for (uint32_t i = 0; i < ops_->n_options; i++)
            if (k == ops_->options[i].name) d = &ops_->options[i];
        if (!d) throw Error("transport " + name_ + " has no option '" + k + "' (see --transport-help " + name_ + ")");
        if (d->type == NP_OPT_INT) {
            char *end = nullptr;
            errno = 0;
            strtoll(v.c_str(), &end, 0);
            if (v.empty() || *end || errno) throw Error("transport " + name_ + " option " + k + "=" + v + ": not an integer");
        } else if (d->type == NP_OPT_BOOL) {
            static const char *ok[] = {"0", "1", "true", "false", "yes", "no", "on", "off"};
            bool good = false;
            for (auto *o : ok) good |= v == o;
            if (!good) throw Error("transport " + name_ + " option " + k + "=" + v + ": not a boolean");
        }
    }
}

std::vector<std::string> plugin_search_path() {
    std::vector<std::string> dirs;
    if (const char *env = getenv("NETPERF_PLUGIN_PATH")) {
        std::string s(env);
        size_t pos = 0;
        while (pos <= s.size()) {
            size_t c = s.find(':', pos);
            if (c == std::string::npos) c = s.size();
            if (c > pos) dirs.push_back(s.substr(pos, c - pos));
            pos = c + 1;
        }
    }
#ifdef NETPERF_BUILD_PLUGIN_DIR
    // Only when this binary runs from the build tree: an installed netperf
    // must not pick up plugins from wherever it happened to be built.
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    fs::path build(NETPERF_BUILD_PLUGIN_DIR);
    if (!ec && exe.string().rfind(build.parent_path().string() + "/", 0) == 0) dirs.push_back(build.string());
#endif
#ifdef NETPERF_INSTALL_PLUGIN_DIR
    dirs.push_back(NETPERF_INSTALL_PLUGIN_DIR);
#endif
    return dirs;
}

std::vector<std::string> find_transport_files() {
    std::map<std::string, std::string> by_name;
    std::vector<std::string> order;
    for (auto &dir : plugin_search_path()) {
        std::error_code ec;
        // A directory may hold plugins directly or one folder per plugin
        // (the build tree's transports/<name>/).
        std::vector<fs::path> candidates;
        for (auto &e : fs::directory_iterator(dir, ec)) {
            if (e.is_directory(ec)) {
                for (auto &f : fs::directory_iterator(e.path(), ec)) candidates.push_back(f.path());
            } else {
                candidates.push_back(e.path());
            }
        }
        std::sort(candidates.begin(), candidates.end());
        for (auto &p : candidates) {
            std::string fn = p.filename().string();
            if (fn.rfind("np-transport-", 0) != 0 || p.extension() != ".so") continue;
            std::string name = fn.substr(13, fn.size() - 13 - 3);
            if (by_name.emplace(name, p.string()).second) order.push_back(p.string());
        }
    }
    return order;
}

std::unique_ptr<Transport> load_transport(const std::string &name) {
    for (auto &path : find_transport_files()) {
        std::string fn = fs::path(path).filename().string();
        if (fn == "np-transport-" + name + ".so") return Transport::open(path);
    }
    std::string where;
    for (auto &d : plugin_search_path()) where += (where.empty() ? "" : ":") + d;
    throw Error("transport '" + name + "' not found (searched " + (where.empty() ? "nothing" : where) +
                "; see --list-transports)");
}

const Transport &cached_transport(const std::string &name) {
    static std::mutex m;
    static std::map<std::string, std::unique_ptr<Transport>> cache;
    std::lock_guard<std::mutex> g(m);
    auto it = cache.find(name);
    if (it != cache.end()) return *it->second;
    if (name.empty() || name.size() > 64 || name.find_first_of("/.") != std::string::npos)
        throw Error("invalid transport name '" + name.substr(0, 64) + "'");
    auto t = load_transport(name);
    std::string why = t->probe();
    if (!why.empty()) throw Error("transport " + name + " cannot run here: " + why);
    auto &ref = *t;
    cache.emplace(name, std::move(t));
    return ref;
}

}  // namespace netperf
