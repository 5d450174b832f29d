// The OMNI output selectors (-k/-o/-O), byte for byte against netperf
// 2.7.1's output (../shared/legacy/CLI.md §5.5-5.11, transcripts.json,
// stock 2.7.1 runs), with TestResults built to the samples' numbers:
// explicit lists, default lists, "all", ';' blocks, selection files,
// unknown names, and the value of every kind of selector.
#include <netperf/omni.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "command_util.h"

using namespace netperf;

namespace {

using command_util::parse;
using command_util::result_for;

char fmt_of(const NetperfCommand &cmd) {
    char f = cmd.fmt ? cmd.fmt : default_format(cmd.spec);
    return f == 'x' && cmd.spec.is_stream() ? 'm' : f;
}

std::string result_text(const NetperfCommand &cmd, const TestResult &r, const std::string &uuid = "",
                        ConfidenceInfo conf = {}) {
    OutputContext ctx{cmd, fmt_of(cmd), conf, uuid};
    return human_result(r, ctx);
}

// A histogram whose percentiles and moments print as 2.7's -O sample
// (CLI.md 5.10): 50th 18, 90th 20, 99th 41, min 14, max 4086, mean 18.41,
// stddev 24.60 microseconds.  Each value sits in one of our buckets that
// lies wholly inside its whole microsecond.
Histogram sample_latency() {
    Histogram h;
    const std::pair<uint64_t, int> values[] = {{14000, 1},    {16500, 10804}, {18500, 13786},
                                               {20500, 2778}, {41500, 416},   {4086000, 1}};
    for (auto [ns, n] : values)
        for (int i = 0; i < n; i++) h.record(ns);
    return h;
}

std::vector<std::string> names_of(const OmniBlocks &b) {
    std::vector<std::string> out;
    for (auto &block : b)
        for (int s : block) out.push_back(omni_selectors()[size_t(s)].name);
    return out;
}

}  // namespace

// transcripts.json "omni_rr_k": an explicit -k list.
TEST(OmniOutput, KeyValExplicitList) {
    auto cmd = parse({"-H", "127.0.0.1", "-l", "1", "-t", "OMNI", "--", "-d", "rr", "-r", "32,64", "-k",
                      "THROUGHPUT,P50_LATENCY,P99_LATENCY,TRANSACTION_RATE"});
    TestResult r = result_for(cmd);
    r.local.counters.transactions = 12243;
    r.elapsed_s = 12243 / 12242.829;
    // Percentiles interpolate inside a bucket: the 99th rank falls halfway
    // into the 2048 ns bucket that holds 177.3 us, at 177.15 us.
    for (int i = 0; i < 600; i++) r.local.latency.record(76'500);
    for (int i = 0; i < 380; i++) r.local.latency.record(100'000);
    for (int i = 0; i < 20; i++) r.local.latency.record(177'300);
    EXPECT_EQ(result_text(cmd, r), "THROUGHPUT=12242.83\n"
                                   "P50_LATENCY=76\n"
                                   "P99_LATENCY=177\n"
                                   "TRANSACTION_RATE=12242.829\n");
}

// CLI.md 5.10: addresses, ports, families, sizes, calls, MSS, congestion
// control, UUID, the quoted command line and Deprecated host selectors.
TEST(OmniOutput, KeyValDescriptiveSelectors) {
    const char *list =
        "SOURCE_ADDR,SOURCE_PORT,SOURCE_FAMILY,DEST_ADDR,DEST_PORT,DEST_FAMILY,PROTOCOL,SOCKET_TYPE,DIRECTION,"
        "REQUEST_SIZE,RESPONSE_SIZE,TRANSACTION_RATE,RT_LATENCY,LOCAL_SEND_CALLS,REMOTE_RECV_CALLS,TRANSPORT_MSS,"
        "REMOTE_CONG_CONTROL,LOCAL_CONG_CONTROL,UUID,COMMAND_LINE,LOCAL_SYSNAME,REMOTE_DRIVER_NAME";
    auto cmd = parse({"-H", "127.0.0.1", "-l", "2", "-t", "OMNI", "--", "-d", "rr", "-k", list});
    TestResult r = result_for(cmd);
    r.local.counters.transactions = 108019;
    r.local.counters.send_calls = 108019;
    r.remote.counters.recv_calls = 108019;
    r.elapsed_s = 108019 / 54003.397;
    r.local.mss = 32768;
    r.local.cong_control = r.remote.cong_control = "bbr";
    EXPECT_EQ(result_text(cmd, r, "6a8651d4-e64b-11f1-94f0-b1b7920fc2ad"),
              std::string("SOURCE_ADDR=0.0.0.0\n"
                          "SOURCE_PORT=0\n"
                          "SOURCE_FAMILY=0\n"
                          "DEST_ADDR=127.0.0.1\n"
                          "DEST_PORT=0\n"
                          "DEST_FAMILY=2\n"
                          "PROTOCOL=TCP\n"
                          "SOCKET_TYPE=Stream\n"
                          "DIRECTION=Send|Recv\n"
                          "REQUEST_SIZE=1\n"
                          "RESPONSE_SIZE=1\n"
                          "TRANSACTION_RATE=54003.397\n"
                          "RT_LATENCY=18.517\n"
                          "LOCAL_SEND_CALLS=108019\n"
                          "REMOTE_RECV_CALLS=108019\n"
                          "TRANSPORT_MSS=32768\n"
                          "REMOTE_CONG_CONTROL=bbr\n"
                          "LOCAL_CONG_CONTROL=bbr\n"
                          "UUID=6a8651d4-e64b-11f1-94f0-b1b7920fc2ad\n"
                          "COMMAND_LINE=\"netperf -H 127.0.0.1 -l 2 -t OMNI -- -d rr -k ") +
                  list +
                  "\"\n"
                  "LOCAL_SYSNAME=Deprecated\n"
                  "REMOTE_DRIVER_NAME=Deprecated\n");
}

// CLI.md 5.11: -k with 2.7's default list ("classic") on a request/response test.
TEST(OmniOutput, KeyValDefaultList) {
    auto cmd = parse({"-H", "127.0.0.1", "-l", "2", "-t", "OMNI", "--", "-d", "rr", "-k", "classic"});
    TestResult r = result_for(cmd);
    r.local.sndbuf_end = 3939840;
    r.local.rcvbuf_end = 262484;
    r.remote.rcvbuf_end = 261944;
    r.remote.sndbuf_end = 3939840;
    r.local.counters.transactions = 109467;
    r.elapsed_s = 109467 / 54733.32;
    EXPECT_EQ(result_text(cmd, r), "LSS_SIZE_END=3939840\n"
                                   "LSR_SIZE_END=262484\n"
                                   "RSR_SIZE_END=261944\n"
                                   "RSS_SIZE_END=3939840\n"
                                   "REQUEST_SIZE=1\n"
                                   "RESPONSE_SIZE=1\n"
                                   "ELAPSED_TIME=2.00\n"
                                   "THROUGHPUT=54733.32\n"
                                   "THROUGHPUT_UNITS=Trans/s\n");
}

// The default lists of 2.7 (nettest_omni.c set_output_list_by_test).
TEST(OmniOutput, DefaultLists) {
    auto send = parse({"-t", "OMNI"});
    EXPECT_EQ(names_of(omni_default_selection(send.spec, false)),
              (std::vector<std::string>{"LSS_SIZE_END", "RSR_SIZE_END", "LOCAL_SEND_SIZE", "ELAPSED_TIME",
                                        "THROUGHPUT", "THROUGHPUT_UNITS"}));
    auto recv = parse({"-t", "TCP_MAERTS"});
    EXPECT_EQ(names_of(omni_default_selection(recv.spec, false)),
              (std::vector<std::string>{"RSS_SIZE_END", "LSR_SIZE_END", "REMOTE_SEND_SIZE", "ELAPSED_TIME",
                                        "THROUGHPUT", "THROUGHPUT_UNITS"}));
    auto cc = parse({"-t", "TCP_CC"});
    auto rr_names = names_of(omni_default_selection(cc.spec, false));
    EXPECT_EQ(rr_names, names_of(omni_default_selection(parse({"-t", "TCP_RR"}).spec, false)));
    EXPECT_EQ(rr_names.front(), "LSS_SIZE_END");
    EXPECT_EQ(rr_names[5], "RESPONSE_SIZE");
    auto cpu = names_of(omni_default_selection(send.spec, true));
    ASSERT_EQ(cpu.size(), 6u + 17u);
    EXPECT_EQ(cpu[6], "LOCAL_CPU_UTIL");
    EXPECT_EQ(cpu[12], "LOCAL_CPU_METHOD");
    EXPECT_EQ(cpu[13], "REMOTE_CPU_UTIL");
    EXPECT_EQ(cpu.back(), "SD_UNITS");
    // -c/-C choose the CPU block for "classic".
    auto with_cpu = parse({"-t", "TCP_STREAM", "-C", "--", "-k", "classic"});
    EXPECT_EQ(names_of(omni_selection_of(with_cpu)), cpu);
}

// netperf 3's presets; a command without a list gets "default".
TEST(OmniOutput, Presets) {
    const std::vector<std::string> def{"THROUGHPUT",       "THROUGHPUT_UNITS", "MEAN_LATENCY",    "P50_LATENCY",
                                       "P90_LATENCY",      "P99_LATENCY",      "LOCAL_CPU_UTIL",  "REMOTE_CPU_UTIL",
                                       "LOCAL_SEND_CALLS", "LOCAL_RECV_CALLS", "ELAPSED_TIME",    "PROTOCOL",
                                       "DIRECTION",        "SOCKET_TYPE"};
    for (const char *opt : {"-k", "-o", "-O"}) {
        EXPECT_EQ(names_of(omni_selection_of(parse({"-t", "TCP_RR", "--", opt}))), def) << opt;
        EXPECT_EQ(names_of(omni_selection_of(parse({"-t", "TCP_RR", "--", opt, "DEFAULT"}))), def) << opt;
    }
    EXPECT_EQ(names_of(omni_selection_of(parse({"-t", "TCP_RR", "--", "-o", "minimal"}))),
              (std::vector<std::string>{"THROUGHPUT", "THROUGHPUT_UNITS"}));
    OmniBlocks verbose = *omni_preset("verbose");
    ASSERT_EQ(verbose.size(), 4u);
    auto vnames = names_of(verbose);
    for (auto &n : def) EXPECT_NE(std::find(vnames.begin(), vnames.end(), n), vnames.end()) << n;
    EXPECT_EQ(omni_preset("all")->size(), 4u);
    EXPECT_FALSE(omni_preset("THROUGHPUT"));
}

// CLI.md 5.10: -o with 2.7's list ("classic"), with an explicit list, and with -P 0.
TEST(OmniOutput, Csv) {
    auto cmd = parse({"-H", "127.0.0.1", "-l", "2", "-t", "OMNI", "--", "-o", "classic"});
    TestResult r = result_for(cmd);
    r.local.sndbuf_end = 4194304;
    r.remote.rcvbuf_end = 1026899;
    r.local.send_size = 16384;
    r.elapsed_s = 2;
    r.remote.counters.bytes_received = 2881525000;
    EXPECT_EQ(result_text(cmd, r),
              "Local Send Socket Size Final,Remote Recv Socket Size Final,Local Send Size,Elapsed Time (sec),"
              "Throughput,Throughput Units\n"
              "4194304,1026899,16384,2.00,11526.10,10^6bits/s\n");

    auto list = parse({"-H", "127.0.0.1", "-l", "2", "-t", "OMNI", "--", "-o",
                       "THROUGHPUT,THROUGHPUT_UNITS,ELAPSED_TIME,PROTOCOL,DIRECTION"});
    r.remote.counters.bytes_received = 2733832500;
    EXPECT_EQ(result_text(list, r), "Throughput,Throughput Units,Elapsed Time (sec),Protocol,Direction\n"
                                    "10935.33,10^6bits/s,2.00,TCP,Send\n");

    auto terse = parse({"-H", "127.0.0.1", "-l", "2", "-P", "0", "-t", "OMNI", "--", "-o", "THROUGHPUT,THROUGHPUT_UNITS"});
    r.remote.counters.bytes_received = 2696490000;
    EXPECT_EQ(result_text(terse, r), "10785.96,10^6bits/s\n");

    // A selector with no value (RESULT_BRAND without -B) leaves its field
    // empty; every block goes on the one line.
    auto brand = parse({"-t", "OMNI", "--", "-o", "PROTOCOL,RESULT_BRAND;DIRECTION"});
    EXPECT_EQ(result_text(brand, r), "Protocol,Result Tag,Direction\nTCP,,Send\n");
    auto branded = parse({"-t", "OMNI", "-B", "run 1", "--", "-o", "PROTOCOL,RESULT_BRAND"});
    EXPECT_EQ(result_text(branded, r), "Protocol,Result Tag\nTCP,\"run 1\"\n");
}

// CLI.md 5.10: -O with the latency selectors on a TCP_RR test.
TEST(OmniOutput, ColumnsLatency) {
    auto cmd = parse({"-H", "127.0.0.1", "-l", "2", "-t", "TCP_RR", "--", "-O",
                      "THROUGHPUT,RT_LATENCY,P50_LATENCY,P90_LATENCY,P99_LATENCY,MIN_LATENCY,MAX_LATENCY,"
                      "MEAN_LATENCY,STDDEV_LATENCY"});
    TestResult r = result_for(cmd);
    r.local.counters.transactions = 108330;
    r.elapsed_s = 108330 / 54165.03;
    r.local.latency = sample_latency();
    EXPECT_EQ(result_text(cmd, r),
              "Throughput Round     50th         90th         99th         Minimum      Maximum      Mean         "
              "Stddev       \n"
              "           Trip      Percentile   Percentile   Percentile   Latency      Latency      Latency      "
              "Latency      \n"
              "           Latency   Latency      Latency      Latency      Microseconds Microseconds Microseconds "
              "Microseconds \n"
              "           usec/tran Microseconds Microseconds Microseconds                                          "
              "           \n"
              "54165.03   18.462    18           20           41           14           4086         18.41        "
              "24.60        \n");
    // Our addition, the 99.9th percentile: the histogram's top group.
    auto p999 = parse({"-t", "TCP_RR", "--", "-k", "P999_LATENCY"});
    EXPECT_EQ(result_text(p999, r), "P999_LATENCY=41\n");
}

// ';' separates blocks: -O prints each with its own headings and a blank
// line between them (stock 2.7.1, without the unknown name it was given).
TEST(OmniOutput, ColumnsBlocks) {
    auto cmd = parse({"-H", "127.0.0.1", "-l", "1", "-t", "OMNI", "--", "-O",
                      "THROUGHPUT,ELAPSED_TIME;PROTOCOL,OUTPUT_NONE,DIRECTION"});
    TestResult r = result_for(cmd);
    r.elapsed_s = 1;
    r.remote.counters.bytes_received = 1034461250;
    EXPECT_EQ(result_text(cmd, r), "Throughput Elapsed \n"
                                   "           Time    \n"
                                   "           (sec)   \n"
                                   "                   \n"
                                   "8275.69    1.00    \n"
                                   "\n"
                                   "Protocol    Direction \n"
                                   "                      \n"
                                   "                      \n"
                                   "                      \n"
                                   "TCP         Send      \n");
    auto terse = parse({"-P", "0", "-t", "OMNI", "--", "-O", "THROUGHPUT,ELAPSED_TIME;PROTOCOL"});
    EXPECT_EQ(result_text(terse, r), "8275.69    1.00    \n\nTCP      \n");
    // More than four blocks: the rest is ignored, as 2.7 does.
    auto five = parse_omni_selection("PROTOCOL;PROTOCOL;PROTOCOL;PROTOCOL;THROUGHPUT");
    EXPECT_EQ(five.size(), 4u);
    EXPECT_EQ(names_of(five), (std::vector<std::string>{"PROTOCOL", "PROTOCOL", "PROTOCOL", "PROTOCOL"}));
    // OUTPUT_END ends its block.
    EXPECT_EQ(names_of(parse_omni_selection("PROTOCOL,OUTPUT_END,DIRECTION")),
              (std::vector<std::string>{"PROTOCOL", "OUTPUT_END", "DIRECTION"}));
    auto ended = parse({"-t", "OMNI", "--", "-k", "PROTOCOL,OUTPUT_END,DIRECTION"});
    EXPECT_EQ(result_text(ended, r), "PROTOCOL=TCP\n");
}

// Names in any case, separated by commas or spaces; unknown names are
// dropped and reported.
TEST(OmniOutput, ListParsing) {
    std::vector<std::string> unknown;
    auto b = parse_omni_selection("throughput Throughput_Units,,bogus;Protocol", &unknown);
    EXPECT_EQ(names_of(b), (std::vector<std::string>{"THROUGHPUT", "THROUGHPUT_UNITS", "PROTOCOL"}));
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(unknown, (std::vector<std::string>{"bogus"}));
    EXPECT_EQ(names_of(parse_omni_selection("p99_latency")), (std::vector<std::string>{"P99_LATENCY"}));
    // A single word that is neither a selector nor a file is an error.
    EXPECT_THROW(parse_omni_selection("/nonexistent/netperf-selection"), Error);
    EXPECT_EQ(omni_find("Stddev_Latency"), omni_find("STDDEV_LATENCY"));
    EXPECT_EQ(omni_find("NOPE"), -1);
}

// A selection file: one block per line, names or headings.
TEST(OmniOutput, SelectionFile) {
    char path[] = "/tmp/omni-selection-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    close(fd);
    {
        std::ofstream f(path);
        f << "THROUGHPUT, Elapsed Time (sec),bogus\nprotocol,Throughput Units\n";
    }
    std::vector<std::string> unknown;
    auto b = parse_omni_selection(path, &unknown);
    EXPECT_EQ(names_of(b), (std::vector<std::string>{"THROUGHPUT", "ELAPSED_TIME", "PROTOCOL", "THROUGHPUT_UNITS"}));
    EXPECT_EQ(unknown, (std::vector<std::string>{"bogus"}));
    auto cmd = parse({"-t", "OMNI", "--", "-O", path});
    TestResult r = result_for(cmd);
    r.elapsed_s = 1;
    r.remote.counters.bytes_received = 933745000;
    EXPECT_EQ(result_text(cmd, r), "Throughput Elapsed \n"
                                   "           Time    \n"
                                   "           (sec)   \n"
                                   "                   \n"
                                   "7469.96    1.00    \n"
                                   "\n"
                                   "Protocol Throughput  \n"
                                   "         Units       \n"
                                   "                     \n"
                                   "                     \n"
                                   "TCP      10^6bits/s  \n");
    // A space-separated list that names no file is a list.
    EXPECT_EQ(names_of(parse_omni_selection("PROTOCOL DIRECTION")),
              (std::vector<std::string>{"PROTOCOL", "DIRECTION"}));
    unlink(path);
}

// "all": 2.7's four blocks, every selector but OUTPUT_NONE, OUTPUT_END and
// ours; in -k the selectors without a value are skipped.
TEST(OmniOutput, All) {
    OmniBlocks all = parse_omni_selection("ALL");
    ASSERT_EQ(all.size(), 4u);
    auto first = [&](int b) { return std::string(omni_selectors()[size_t(all[size_t(b)].front())].name); };
    auto last = [&](int b) { return std::string(omni_selectors()[size_t(all[size_t(b)].back())].name); };
    EXPECT_EQ(first(0), "SOCKET_TYPE");
    EXPECT_EQ(last(0), "RESPONSE_SIZE");
    EXPECT_EQ(first(1), "LOCAL_CPU_UTIL");
    EXPECT_EQ(last(1), "TRANSPORT_MSS");
    EXPECT_EQ(first(2), "LOCAL_SEND_THROUGHPUT");
    EXPECT_EQ(last(2), "REMOTE_CORK");
    EXPECT_EQ(first(3), "LOCAL_SYSNAME");
    EXPECT_EQ(last(3), "COMMAND_LINE");
    std::set<std::string> names;
    for (auto &n : names_of(all)) names.insert(n);
    EXPECT_EQ(names.size(), omni_selectors().size() - 6);  // OUTPUT_NONE, OUTPUT_END and our P999_LATENCY, P*_LATENCY_CONFID
    EXPECT_FALSE(names.count("P999_LATENCY"));

    auto cmd = parse({"-H", "127.0.0.1", "-t", "OMNI", "--", "-k", "all"});
    TestResult r = result_for(cmd);
    r.elapsed_s = 1;
    std::string out = result_text(cmd, r, "u");
    int lines = 0;
    for (char c : out) lines += c == '\n';
    EXPECT_EQ(lines, int(names.size()) - 1);  // RESULT_BRAND has no value without -B
    EXPECT_EQ(out.find("RESULT_BRAND"), std::string::npos);
    const std::string tail = "COMMAND_LINE=\"netperf -H 127.0.0.1 -t OMNI -- -k all\"\n";
    ASSERT_GE(out.size(), tail.size());
    EXPECT_EQ(out.substr(out.size() - tail.size()), tail);
    // -O all: four blocks of columns.
    auto cols = parse({"-t", "OMNI", "--", "-O", "all"});
    std::string c = result_text(cols, r, "u");
    int blank = 0;
    for (size_t p = 0; (p = c.find("\n\n", p)) != std::string::npos; p++) blank++;
    EXPECT_EQ(blank, 3);
}

// What 2.7 prints where a quantity does not apply or was not measured.
TEST(OmniOutput, NotApplicableValues) {
    auto cmd = parse({"-H", "127.0.0.1", "-t", "OMNI"});
    TestResult r = result_for(cmd);
    r.elapsed_s = 1;
    OutputContext ctx{cmd, 'm', {}, "u"};
    Metrics m = output_metrics(r, ctx);
    auto v = [&](const char *name) { return *omni_value(omni_find(name), r, ctx, m); };
    EXPECT_EQ(v("REQUEST_SIZE"), "-1");
    EXPECT_EQ(v("RT_LATENCY"), "-1.000");
    EXPECT_EQ(v("TRANSACTION_RATE"), "-1.000");  // 2.7: its initial 1.000
    EXPECT_EQ(v("LOCAL_CPU_UTIL"), "-1.00");
    EXPECT_EQ(v("LOCAL_CPU_METHOD"), "U");
    EXPECT_EQ(v("LOCAL_SD"), "-1.000");
    EXPECT_EQ(v("SD_UNITS"), "usec/KB");
    EXPECT_EQ(v("CONFIDENCE_LEVEL"), "0");
    EXPECT_EQ(v("CONFIDENCE_INTERVAL"), "-1.000000");
    EXPECT_EQ(v("CONFIDENCE_ITERATION"), "1");
    EXPECT_EQ(v("THROUGHPUT_CONFID"), "-1.000");
    EXPECT_EQ(v("LOCAL_SEND_DIRTY_COUNT"), "-1");
    EXPECT_EQ(v("LOCAL_INTERFACE_VENDOR"), "0xfffffffe");
    EXPECT_EQ(v("LOCAL_SOCKET_TOS"), "0xffffffff");
    EXPECT_EQ(v("LOCAL_CPU_MODEL"), "Deprecated");
    EXPECT_EQ(v("OUTPUT_NONE"), " ");
    EXPECT_EQ(v("LOCAL_RECV_SIZE"), "-1");  // a sender does not receive
    EXPECT_FALSE(omni_value(omni_find("RESULT_BRAND"), r, ctx, m));
    EXPECT_FALSE(omni_value(omni_find("OUTPUT_END"), r, ctx, m));
}

// Measured values: CPU, sizes per direction, bytes and calls, confidence.
TEST(OmniOutput, MeasuredValues) {
    auto cmd = parse({"-H", "127.0.0.1", "-t", "TCP_RR", "-c", "-T", "1,0", "-Y", "0x10,", "-i", "5,3", "--", "-r",
                      "32,64", "-b", "3", "-D"});
    TestResult r = result_for(cmd);
    r.elapsed_s = 2;
    r.local.counters = {320, 640, 10, 10, 10, 0, 0};
    r.remote.counters = {640, 320, 10, 20, 0, 0, 0};
    r.local.cpu.measured = true;
    r.local.cpu.util = 25;
    r.local.cpu.user = 10;
    r.local.cpu.system = 12;
    r.local.cpu.softirq = 3;
    r.local.cpu.num_cpus = 2;
    r.local.cpu.peak_cpu = 1;
    r.local.cpu.peak_util = 40;
    r.local.retransmits = 0;
    ConfidenceInfo conf;
    conf.requested = true;
    conf.iterations = 4;
    conf.throughput_width = 3.5;
    OutputContext ctx{cmd, 'x', conf, "u"};
    Metrics m = output_metrics(r, ctx);
    auto v = [&](const char *name) { return *omni_value(omni_find(name), r, ctx, m); };
    EXPECT_EQ(v("THROUGHPUT"), "5.00");
    EXPECT_EQ(v("THROUGHPUT_UNITS"), "Trans/s");
    EXPECT_EQ(v("RT_LATENCY"), "800000.000");  // 1e6 / 5 per s * (1 + burst 3)
    EXPECT_EQ(v("BURST_SIZE"), "3");
    EXPECT_EQ(v("LOCAL_SEND_SIZE"), "32");
    EXPECT_EQ(v("LOCAL_RECV_SIZE"), "64");
    EXPECT_EQ(v("REMOTE_SEND_SIZE"), "64");
    EXPECT_EQ(v("REMOTE_RECV_SIZE"), "32");
    EXPECT_EQ(v("LOCAL_CPU_UTIL"), "25.00");
    EXPECT_EQ(v("LOCAL_CPU_PERCENT_USER"), "10.00");
    EXPECT_EQ(v("LOCAL_CPU_PERCENT_SWINTR"), "3.00");
    EXPECT_EQ(v("LOCAL_CPU_METHOD"), "S");
    EXPECT_EQ(v("LOCAL_CPU_COUNT"), "2");
    EXPECT_EQ(v("LOCAL_CPU_PEAK_UTIL"), "40.00");
    EXPECT_EQ(v("LOCAL_CPU_PEAK_ID"), "1");
    EXPECT_EQ(v("LOCAL_SD"), "100000.000");  // 25 % of 2 CPUs per 5 transactions/s
    EXPECT_EQ(v("SD_UNITS"), "usec/Tran");
    EXPECT_EQ(v("REMOTE_CPU_UTIL"), "-1.00");
    EXPECT_EQ(v("LOCAL_CPU_BIND"), "1");
    EXPECT_EQ(v("REMOTE_CPU_BIND"), "0");
    EXPECT_EQ(v("LOCAL_SOCKET_TOS"), "0x10");
    EXPECT_EQ(v("LOCAL_NODELAY"), "1");
    EXPECT_EQ(v("REMOTE_NODELAY"), "1");
    EXPECT_EQ(v("LOCAL_BYTES_XFERD"), "960");
    EXPECT_EQ(v("LOCAL_BYTES_PER_SEND"), "32.00");
    EXPECT_EQ(v("REMOTE_BYTES_PER_RECV"), "16.00");
    EXPECT_EQ(v("REMOTE_RECV_CALLS"), "20");
    EXPECT_EQ(v("LOCAL_SEND_THROUGHPUT"), "0.00");  // -f x: megabits
    EXPECT_EQ(v("LOCAL_TRANSPORT_RETRANS"), "0");
    EXPECT_EQ(v("CONFIDENCE_LEVEL"), "99");
    EXPECT_EQ(v("CONFIDENCE_INTERVAL"), "5.000000");
    EXPECT_EQ(v("CONFIDENCE_ITERATION"), "4");
    EXPECT_EQ(v("THROUGHPUT_CONFID"), "3.500");
}

// CLI.md 5.7: -k with confidence selectors; the iteration mean is printed.
TEST(OmniOutput, ConfidenceSelectors) {
    auto cmd = parse({"-H", "127.0.0.1", "-l", "2", "-t", "OMNI", "-i", "5,3", "-I", "99,5", "--", "-k",
                      "THROUGHPUT,CONFIDENCE_LEVEL,CONFIDENCE_INTERVAL,CONFIDENCE_ITERATION,THROUGHPUT_CONFID"});
    TestResult r = result_for(cmd);
    r.elapsed_s = 2;
    ConfidenceInfo conf;
    conf.requested = true;
    conf.level = 99;
    conf.width = 5;
    conf.iterations = 5;
    conf.achieved = false;
    conf.throughput_width = 45.102;
    conf.averaged = true;
    conf.elapsed_s = 2;
    conf.throughput = 11516.86;
    OutputContext ctx{cmd, 'm', conf, ""};
    // No warning block for OMNI output, as 2.7.
    EXPECT_EQ(human_banner(r, ctx), "OMNI Send TEST from 0.0.0.0 (0.0.0.0) port 0 AF_INET to 127.0.0.1 (127.0.0.1) "
                                    "port 0 AF_INET : +/-2.500% @ 99% conf. \n");
    EXPECT_EQ(human_result(r, ctx), "THROUGHPUT=11516.86\n"
                                    "CONFIDENCE_LEVEL=99\n"
                                    "CONFIDENCE_INTERVAL=5.000000\n"
                                    "CONFIDENCE_ITERATION=5\n"
                                    "THROUGHPUT_CONFID=45.102\n");
}

TEST(OmniOutput, SelectorListAndUuid) {
    std::string csv = omni_selector_list(true);
    EXPECT_EQ(csv.rfind("OUTPUT_NONE,SOCKET_TYPE,PROTOCOL,", 0), 0u);
    EXPECT_NE(csv.find(",COMMAND_LINE,P999_LATENCY,P50_LATENCY_CONFID,P90_LATENCY_CONFID,P99_LATENCY_CONFID,"
                       "OUTPUT_END\n"),
              std::string::npos);
    std::string lines = omni_selector_list(false);
    EXPECT_EQ(lines.rfind("OUTPUT_NONE\nSOCKET_TYPE\n", 0), 0u);

    auto given = parse({"-t", "OMNI", "--", "-u", "01234567-89ab-cdef-0123-456789abcdef"});
    EXPECT_EQ(omni_test_uuid(given), "01234567-89ab-cdef-0123-456789abcdef");
    std::string u = omni_test_uuid(parse({"-t", "OMNI"}));
    EXPECT_EQ(u.size(), 36u);
    EXPECT_EQ(u[8], '-');
    EXPECT_NE(u, omni_test_uuid(parse({"-t", "OMNI"})));
}
