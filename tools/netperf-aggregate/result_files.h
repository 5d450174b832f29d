// Reading benchmark results out of the files netperf and netperf 3 write:
// one number per run (or per iteration) from each supported format.
//
//   terse   netperf -P 0 value lines ("131072 16384 16384 2.00 16310.67"),
//           also -v 0 single numbers and the value lines of full -P 1 output
//   csv     OMNI -o output (header line + value lines) and any CSV with a header
//   keyval  OMNI -k output (THROUGHPUT=9500.12, one key per line)
//   json    netperf 3 JSON results (see read_json_samples for the shapes read)
//
// Every reader throws netperf::Error with one line naming the file and the
// cause when it finds nothing usable.
#ifndef NETPERF_AGGREGATE_RESULT_FILES_H
#define NETPERF_AGGREGATE_RESULT_FILES_H

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace netperf::aggregate {

// Which reader to use; automatic looks at the file (see detect_format).
enum class InputFormat { automatic, terse, csv, keyval, json };

// Parses "auto", "terse", "csv", "keyval" or "json".
std::optional<InputFormat> parse_input_format(std::string_view name);
// The name parse_input_format accepts for f.
const char *input_format_name(InputFormat f);

// What to read out of a file.
struct ReadOptions {
    InputFormat format = InputFormat::automatic;
    std::string field;  // CSV column, -k key or JSON field; empty = "throughput"
    int column = 0;     // 1-based column for terse lines and header-less CSV; 0 = decide
    std::string test;   // netperf test name (-t) that wrote terse lines; picks the column
};

// The values read from one file.
struct FileSamples {
    std::vector<double> values;
    std::string units;        // e.g. "10^6bits/s" when the file says; else empty
    InputFormat format = InputFormat::automatic;  // the reader that was used
};

// Guesses the format of a file's text: '{' or '[' first is JSON, a
// NAME=value line is keyval, a comma anywhere is CSV, anything else terse.
// A field name with no commas in the file means a one-column CSV.
InputFormat detect_format(std::string_view text, bool field_given);

// The 1-based result column of netperf 2.7's -P 0 line for a test (-t name,
// any case): 5 for the stream tests and OMNI, 6 for request/response tests
// and UDP_STREAM's send row; 0 for a name it does not know.
int terse_column_for_test(std::string_view test);

// Reads one file; `path` is only used in messages.
FileSamples read_result_text(const std::string &path, std::string_view text, const ReadOptions &opts);
// Reads the file at path ("cannot open PATH: reason" when it cannot).
FileSamples read_result_file(const std::string &path, const ReadOptions &opts);

// The JSON reader on its own: every number for `field` in one parsed
// document, appended to out; returns units if the document names them.
// Shapes read, in this order, at every level:
//   a number                                  (inside an array or "iterations")
//   an array                                  each element read in turn
//   {"iterations": [...]}                     per-iteration results, preferred
//   {"results": [...] or {...}}               our result files' results block
//   {"<field>": number | [numbers] | {"mean": n} | {"value": n}}
// A dotted field ("tx.throughput", "latency_us.p99") descends one name at a
// time, reading the shapes above at each level; keys match ignoring case.
// Units come from "<field>_units" or "units" beside the field. netperf 3's
// files (docs/schema/netperf-result.schema.json: results.iterations[].throughput,
// results.units) read with the default field; results split by direction
// need --field tx.throughput, rx.throughput or simultaneous.total.throughput.
std::string read_json_samples(const nlohmann::json &doc, const std::string &field, std::vector<double> &out);

}  // namespace netperf::aggregate

#endif
