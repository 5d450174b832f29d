// The machine-readable writers: JSON (validated against the published
// schema with python3-jsonschema), CSV (RFC 4180), key=value.
#include <netperf/report.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <sys/wait.h>

using namespace netperf;
using nlohmann::json;

namespace {

TestResult rr_result(double tput_scale) {
    TestResult r;
    r.spec.test_name = "TCP_RR";
    r.spec.pattern = Pattern::RR;
    r.elapsed_s = 2;
    r.local.present = true;
    r.local.counters.transactions = uint64_t(100000 * tput_scale);
    r.local.counters.bytes_sent = r.local.counters.bytes_received = r.local.counters.transactions;
    r.local.counters.send_calls = r.local.counters.recv_calls = r.local.counters.transactions;
    for (int i = 0; i < 1000; i++) r.local.latency.record(uint64_t(15000 + i * tput_scale));
    r.remote.present = true;
    r.remote.counters = r.local.counters;
    r.remote.cpu.measured = true;
    r.remote.cpu.util = 50 * tput_scale;
    r.remote.cpu.num_cpus = 2;
    IntervalSample s;
    s.duration_s = 1;
    s.end_wall_ns = 1795348103000000000ull;
    s.delta.transactions = 50000;
    r.intervals = {s, s};
    r.intervals[1].index = 1;
    r.intervals[1].start_s = 1;
    FlowReport f;
    f.local = r.local.counters;
    f.elapsed_s = 2;
    f.latency = r.local.latency;
    r.flows = {f};
    return r;
}

TestResult stream_result(Pattern p) {
    TestResult r;
    r.spec.test_name = p == Pattern::Stream ? "TCP_STREAM" : "TCP_MAERTS";
    r.spec.pattern = p;
    r.elapsed_s = 1;
    r.local.present = true;
    r.remote.present = true;
    if (p == Pattern::Stream) {
        r.local.counters.bytes_sent = 1250000000;
        r.remote.counters.bytes_received = 1250000000;
    } else {
        r.local.counters.bytes_received = 625000000;
        r.remote.counters.bytes_sent = 625000000;
    }
    return r;
}

Report base_report() {
    Report rep;
    rep.netperf_version = "3.0.0";
    rep.command_line = "netperf -H 127.0.0.1 -B \"a, b\"";
    rep.local_host = "here";
    rep.remote_host = "127.0.0.1";
    rep.kernel = "6.18";
    rep.transport = "sockets";
    rep.protocol = "netperf3";
    rep.timestamp_ns = 1795348103123456789ull;
    return rep;
}

// Validates a document against docs/schema with python3-jsonschema.
int validate(const json &doc) {
    const char *src = getenv("NETPERF_SOURCE_ROOT");
    std::string schema = std::string(src ? src : ".") + "/docs/schema/netperf-result.schema.json";
    char path[] = "/tmp/netperf-report-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    std::ofstream(path) << doc.dump();
    std::string cmd = "/usr/bin/python3 -c 'import json,sys,jsonschema; "
                      "jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' " +
                      std::string(path) + " " + schema;
    int rc = system(cmd.c_str());
    remove(path);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

}  // namespace

TEST(Report, EstimateIsStudentT) {
    Estimate e = estimate({90, 100, 110}, 95);
    EXPECT_EQ(e.n, 3);
    EXPECT_DOUBLE_EQ(e.mean, 100);
    EXPECT_DOUBLE_EQ(e.stddev, 10);
    EXPECT_NEAR(e.half_width, 4.302652729 * 10 / std::sqrt(3.0), 1e-6);
    EXPECT_NEAR(e.width_percent, 2 * e.half_width, 1e-9);
    EXPECT_EQ(estimate({}, 95).n, 0);
}

TEST(Report, IterationsAverageThroughputAndCpuLikeNetperf) {
    ConfidenceReport want;
    want.requested = true;
    want.level = 95;
    want.width_percent = 5;
    DirectionReport d = make_direction("", {rr_result(1.0), rr_result(1.002), rr_result(0.998)}, 'x', want);
    EXPECT_NEAR(d.metrics.throughput, 50000, 1e-6);
    EXPECT_NEAR(d.result.remote.cpu.util, 50, 1e-9);
    EXPECT_EQ(d.confidence.iterations, 3);
    EXPECT_TRUE(d.confidence.achieved);
    EXPECT_EQ(d.confidence.p99_latency.n, 3);  // latency percentiles get intervals too
    EXPECT_GT(d.confidence.p99_latency.half_width, 0);
}

TEST(Report, JsonOfEveryShapeValidatesAgainstTheSchema) {
    ConfidenceReport none;
    Report single = base_report();
    single.fmt = 'x';
    single.directions = {make_direction("", {rr_result(1)}, 'x', none)};
    json doc = report_to_json(single);
    EXPECT_EQ(doc["results"]["throughput"].get<double>(), 50000);
    EXPECT_EQ(doc["metadata"]["timestamp"], "2026-11-22T11:48:23.123Z");
    EXPECT_EQ(doc["results"]["intervals"].size(), 2u);
    EXPECT_EQ(validate(doc), 0) << doc.dump(2);

    Report seq = base_report();
    seq.mode = "sequential";
    seq.directions = {make_direction("tx", {stream_result(Pattern::Stream)}, 'm', none),
                      make_direction("rx", {stream_result(Pattern::Maerts)}, 'm', none)};
    doc = report_to_json(seq);
    EXPECT_NEAR(doc["results"]["tx"]["throughput"].get<double>(), 10000, 1e-6);
    EXPECT_NEAR(doc["results"]["rx"]["throughput"].get<double>(), 5000, 1e-6);
    EXPECT_EQ(validate(doc), 0) << doc.dump(2);

    Report sim = base_report();
    sim.mode = "simultaneous";
    DirectionReport tx = make_direction("tx", {stream_result(Pattern::Stream)}, 'm', none);
    DirectionReport rx = make_direction("rx", {stream_result(Pattern::Maerts)}, 'm', none);
    sim.directions = {tx, rx, total_of(tx, rx, 'm')};
    sim.partial = true;
    doc = report_to_json(sim);
    EXPECT_NEAR(doc["results"]["simultaneous"]["total"]["throughput"].get<double>(), 15000, 1e-6);
    EXPECT_TRUE(doc["partial"].get<bool>());
    EXPECT_EQ(validate(doc), 0) << doc.dump(2);

    // And the schema is not vacuous: a broken document fails.
    doc["results"]["simultaneous"].erase("total");
    EXPECT_NE(validate(doc), 0);
}

TEST(Report, CsvIsRfc4180) {
    ConfidenceReport none;
    Report rep = base_report();
    rep.fmt = 'x';
    rep.directions = {make_direction("", {rr_result(1)}, 'x', none)};
    std::string csv = report_to_csv(rep, true);
    // Header, one result row, two interval rows, CRLF line ends.
    size_t lines = 0;
    for (size_t p = 0; (p = csv.find("\r\n", p)) != std::string::npos; p += 2) lines++;
    EXPECT_EQ(lines, 4u);
    EXPECT_EQ(csv.rfind("row,direction,interval,", 0), 0u);
    // The command line holds a comma and quotes: quoted, quotes doubled.
    EXPECT_NE(csv.find("\"netperf -H 127.0.0.1 -B \"\"a, b\"\"\""), std::string::npos) << csv;
    EXPECT_NE(csv.find("\r\ninterval,-,1,1,1,TCP_RR"), std::string::npos) << csv;
    EXPECT_EQ(csv_field("plain"), "plain");
    EXPECT_EQ(csv_field("a\nb"), "\"a\nb\"");
}

TEST(Report, KeyvalPrefixesDirections) {
    ConfidenceReport none;
    Report seq = base_report();
    seq.mode = "sequential";
    seq.directions = {make_direction("tx", {stream_result(Pattern::Stream)}, 'm', none),
                      make_direction("rx", {stream_result(Pattern::Maerts)}, 'm', none)};
    std::string kv = report_to_keyval(seq);
    EXPECT_NE(kv.find("TX_THROUGHPUT=10000\n"), std::string::npos) << kv;
    EXPECT_NE(kv.find("RX_THROUGHPUT=5000\n"), std::string::npos) << kv;
    EXPECT_NE(kv.find("MODE=sequential\n"), std::string::npos);
}

// A confidence run: the intervals of throughput and of the latency
// percentiles in key=value and CSV; interim results with 2.7's -k keys.
TEST(Report, ConfidenceAndIntervalsInKeyvalAndCsv) {
    ConfidenceReport want;
    want.requested = true;
    want.level = 95;
    want.width_percent = 5;
    Report rep = base_report();
    rep.fmt = 'x';
    rep.directions = {make_direction("", {rr_result(1.0), rr_result(1.002), rr_result(0.998)}, 'x', want)};
    std::string kv = report_to_keyval(rep);
    for (const char *k : {"CONFIDENCE_LEVEL=95\n", "CONFIDENCE_ITERATION=3\n", "THROUGHPUT_CONFID=", "THROUGHPUT_CI_LOW=",
                          "P50_LATENCY_CONFID=", "P90_LATENCY_CI_LOW=", "P99_LATENCY_CI_HIGH=",
                          "NETPERF_INTERIM_RESULT[1]=50000\n", "NETPERF_UNITS[0]=Trans/s\n", "NETPERF_INTERVAL[0]=1\n",
                          "NETPERF_ENDING[0]=1795348103.000\n"})
        EXPECT_NE(kv.find(k), std::string::npos) << k << "\n" << kv;
    std::string csv = report_to_csv(rep, false);
    std::string header = csv.substr(0, csv.find("\r\n"));
    std::string row = csv.substr(header.size() + 2);
    row = row.substr(0, row.find("\r\n"));
    auto fields = [](const std::string &line) {
        std::vector<std::string> out(1);
        bool quoted = false;
        for (char c : line) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) out.emplace_back();
            else out.back() += c;
        }
        return out;
    };
    auto h = fields(header), v = fields(row);
    ASSERT_EQ(h.size(), v.size());
    auto at = [&](const std::string &name) {
        for (size_t i = 0; i < h.size(); i++)
            if (h[i] == name) return v[i];
        return std::string("missing");
    };
    EXPECT_EQ(at("confidence_level"), "95");
    double lo = std::stod(at("p50_latency_ci_low")), hi = std::stod(at("p50_latency_ci_high"));
    EXPECT_LT(lo, hi);
    EXPECT_NE(at("throughput_confid"), "");
}

TEST(Report, AtomicWrite) {
    char dir[] = "/tmp/netperf-atomic-XXXXXX";
    ASSERT_TRUE(mkdtemp(dir));
    std::string path = std::string(dir) + "/out.json";
    write_file_atomically(path, "{}\n");
    std::ifstream in(path);
    std::string s((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(s, "{}\n");
    remove(path.c_str());
    rmdir(dir);
    EXPECT_THROW(write_file_atomically("/nonexistent-dir/x.json", "{}"), Error);
}
