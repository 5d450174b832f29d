// JSON forms of the measurement types, shared by the control protocol (the
// server's results) and the JSON output format.  The from_json functions are
// strict (they validate what a network peer sent) and throw Error.
#ifndef NETPERF_RESULT_JSON_H
#define NETPERF_RESULT_JSON_H

#include <nlohmann/json.hpp>

#include <netperf/counters.h>
#include <netperf/cpu.h>
#include <netperf/histogram.h>
#include <netperf/result.h>

namespace netperf {

nlohmann::json counters_to_json(const CounterSnapshot &c);
CounterSnapshot counters_from_json(const nlohmann::json &j);

nlohmann::json cpu_to_json(const CpuUtil &c);
CpuUtil cpu_from_json(const nlohmann::json &j);

// {"count","min","max","sum","sumsq","buckets":[[index,count],...]}
nlohmann::json histogram_to_json(const Histogram &h);
void histogram_from_json(const nlohmann::json &j, Histogram &h);

// A side's results as the server reports them.
nlohmann::json side_to_json(const SideResult &s);
void side_from_json(const nlohmann::json &j, SideResult &s);

}  // namespace netperf

#endif
