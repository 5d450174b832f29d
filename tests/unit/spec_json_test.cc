#include <netperf/spec_json.h>

#include <gtest/gtest.h>

using namespace netperf;
using nlohmann::json;

TEST(SpecJson, RoundTrip) {
    TestSpec s;
    s.test_name = "TCP_RR";
    s.pattern = Pattern::RR;
    s.request_size = 100;
    s.response_size = 200;
    s.flows = 4;
    s.cong_control.remote = "cubic";
    s.transport_options = {{"busy_poll", "50"}};
    TestSpec t = spec_from_json(spec_to_json(s));
    EXPECT_EQ(t.test_name, "TCP_RR");
    EXPECT_EQ(t.pattern, Pattern::RR);
    EXPECT_EQ(t.request_size, 100);
    EXPECT_EQ(t.response_size, 200);
    EXPECT_EQ(t.flows, 4);
    EXPECT_EQ(t.cong_control.remote, "cubic");
    ASSERT_EQ(t.transport_options.size(), 1u);
}

TEST(SpecJson, WrongTypesAreRejectedByName) {
    json j = spec_to_json(TestSpec{});
    j["flows"] = "many";
    try {
        spec_from_json(j);
        FAIL();
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("flows"), std::string::npos);
    }
    j = spec_to_json(TestSpec{});
    j["duration_s"] = 1e300;
    EXPECT_THROW(spec_from_json(j), Error);
    j = spec_to_json(TestSpec{});
    j["pattern"] = "sideways";
    EXPECT_THROW(spec_from_json(j), Error);
    EXPECT_THROW(spec_from_json(json::array()), Error);
    j = spec_to_json(TestSpec{});
    j["sndbuf"] = json{{"local", 5000000000ll}};  // does not fit the 32-bit field
    EXPECT_THROW(spec_from_json(j), Error);
    j = spec_to_json(TestSpec{});
    j["send_size"] = json{{"remote", 5000000000ll}};  // fits, but no server allows it
    EXPECT_THROW(spec_from_json(j).check_limits(ServerLimits{}), Error);
}

TEST(SpecJson, InconsistentSpecsFailValidation) {
    json j = spec_to_json(TestSpec{});
    j["pattern"] = "crr";
    j["socktype"] = 2;  // SOCK_DGRAM
    EXPECT_THROW(spec_from_json(j), Error);
    j = spec_to_json(TestSpec{});
    j["flows"] = 0;
    EXPECT_THROW(spec_from_json(j), Error);
}

TEST(SpecJson, ServerLimitsCap) {
    ServerLimits lim;
    lim.max_duration_s = 60;
    lim.max_flows = 8;
    TestSpec s;
    s.duration_s = 61;
    EXPECT_THROW(s.check_limits(lim), Error);
    s.duration_s = 10;
    s.flows = 9;
    EXPECT_THROW(s.check_limits(lim), Error);
    s.flows = 8;
    s.sndbuf.remote = 1 << 30;
    EXPECT_THROW(s.check_limits(lim), Error);
    s.sndbuf.remote = -1;
    EXPECT_NO_THROW(s.check_limits(lim));
}
