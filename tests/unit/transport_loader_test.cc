#include <netperf/transport.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

using namespace netperf;

namespace {

std::string plugin(const char *name) {
    const char *dir = getenv("NETPERF_TEST_PLUGIN_DIR");
    return std::string(dir ? dir : ".") + "/" + name;
}

}  // namespace

TEST(TransportLoader, LoadsTheInTreeTransports) {
    for (const char *n : {"null", "sockets", "unix"}) {
        auto t = load_transport(n);
        EXPECT_EQ(t->name(), n);
        EXPECT_EQ(t->probe(), "");
    }
}

TEST(TransportLoader, RefusesAnotherAbiVersionNamingBoth) {
    try {
        Transport::open(plugin("np-transport-badabi.so"));
        FAIL() << "loaded a plugin of ABI version 2";
    } catch (const Error &e) {
        std::string m = e.what();
        EXPECT_NE(m.find("ABI version 2"), std::string::npos) << m;
        EXPECT_NE(m.find("ABI version 1"), std::string::npos) << m;
    }
}

TEST(TransportLoader, RefusesAMissingMandatoryOp) {
    try {
        Transport::open(plugin("np-transport-noreap.so"));
        FAIL() << "loaded a plugin without reap";
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("'reap'"), std::string::npos) << e.what();
    }
}

TEST(TransportLoader, UnknownNameSaysWhereItLooked) {
    try {
        load_transport("no-such-transport");
        FAIL();
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos);
    }
}

TEST(TransportLoader, ChecksOptionsAgainstTheTable) {
    auto t = load_transport("sockets");
    EXPECT_NO_THROW(t->validate_options({{"busy_poll", "50"}}));
    EXPECT_THROW(t->validate_options({{"busy_poll", "lots"}}), Error);
    EXPECT_THROW(t->validate_options({{"nosuch", "1"}}), Error);
}

TEST(TransportLoader, CheckOpsNamesTheProblem) {
    np_transport_ops ops{};
    EXPECT_NE(check_transport_ops(&ops).find("ABI version 0"), std::string::npos);
    EXPECT_NE(check_transport_ops(nullptr), "");
}
