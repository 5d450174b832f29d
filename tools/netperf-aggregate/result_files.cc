// Readers for netperf result files (result_files.h).
#include "result_files.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <netperf/error.h>

namespace netperf::aggregate {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// A finite number spelled out completely (no units glued on).
std::optional<double> to_number(std::string_view s) {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return lines;
}

std::vector<std::string_view> split_ws(std::string_view line) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) i++;
        size_t j = i;
        while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) j++;
        if (j > i) out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

// CSV cells, honouring double quotes (OMNI's COMMAND_LINE and RESULT_BRAND
// are quoted and may hold commas).
std::vector<std::string> split_csv(std::string_view line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); i++) {
        char c = line[i];
        if (c == '"') {
            if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
                cells.back() += '"';
                i++;
            } else {
                quoted = !quoted;
            }
        } else if (c == ',' && !quoted) {
            cells.emplace_back();
        } else {
            cells.back() += c;
        }
    }
    for (auto &c : cells) c = std::string(trim(c));
    return cells;
}

// A name as it compares: lower case letters and digits only, anything in
// parentheses dropped, so "Elapsed Time (sec)" matches ELAPSED_TIME and
// "Throughput" matches THROUGHPUT.
std::string normalize(std::string_view name) {
    std::string out;
    int depth = 0;
    for (char c : name) {
        if (c == '(') depth++;
        else if (c == ')' && depth > 0) depth--;
        else if (depth == 0 && std::isalnum(static_cast<unsigned char>(c)))
            out += char(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string join(const std::vector<std::string> &v, size_t max = 12) {
    std::string out;
    for (size_t i = 0; i < v.size() && i < max; i++) out += (i ? ", " : "") + v[i];
    if (v.size() > max) out += ", ...";
    return out;
}

std::string unquote(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return std::string(v);
}

bool looks_like_units(std::string_view s) { return s.find('/') != std::string_view::npos && !to_number(s); }

std::string at_line(const std::string &path, size_t line) { return path + ":" + std::to_string(line + 1); }

// netperf -P 0 (and the value lines of -P 1): a value line starts with a
// number; the first value line fixes the layout, and only lines with as
// many fields are results (this skips RR's second socket-size row and
// UDP_STREAM's receive row). The result column is --column, else the
// test's column, else the second number with a decimal point (the first is
// the elapsed time), else the only one (-v 0).
FileSamples read_terse(const std::string &path, std::string_view text, const ReadOptions &o) {
    FileSamples fs;
    fs.format = InputFormat::terse;
    size_t shape = 0, col = 0;
    auto lines = lines_of(text);
    for (size_t ln = 0; ln < lines.size(); ln++) {
        auto tok = split_ws(lines[ln]);
        if (tok.empty() || !to_number(tok[0])) continue;
        if (shape == 0) {
            shape = tok.size();
            if (o.column > 0) {
                col = size_t(o.column);
            } else if (!o.test.empty()) {
                col = size_t(terse_column_for_test(o.test));
            } else {
                std::vector<size_t> decimals;
                for (size_t i = 0; i < tok.size(); i++)
                    if (to_number(tok[i]) && tok[i].find('.') != std::string_view::npos) decimals.push_back(i + 1);
                if (decimals.size() >= 2) col = decimals[1];
                else if (decimals.size() == 1) col = decimals[0];
                else if (tok.size() == 1) col = 1;
                else
                    throw Error(at_line(path, ln) + ": cannot tell which column holds the result; give --column N or --test NAME");
            }
            if (col > shape)
                throw Error(at_line(path, ln) + ": the result line has " + std::to_string(shape) + " columns, not " +
                            std::to_string(col));
        }
        if (tok.size() != shape) continue;
        auto v = to_number(tok[col - 1]);
        if (!v) throw Error(at_line(path, ln) + ": column " + std::to_string(col) + " is '" + std::string(tok[col - 1]) + "', not a number");
        fs.values.push_back(*v);
        if (fs.units.empty() && col < tok.size() && looks_like_units(tok[col])) fs.units = std::string(tok[col]);
    }
    if (fs.values.empty()) throw Error(path + ": no result values found (no line starts with a number)");
    return fs;
}

// CSV: a line without any numeric cell is a header candidate; the latest
// one becomes the header when a value line with as many cells follows
// (netperf's banner line before the header is passed over). Value lines
// with another cell count (interim -D lines) are skipped, as are repeats of
// the header when runs were appended to one file. A file with no header at
// all (netperf -P 0 -o) is read by column; in a file with a header, lines
// before it are not results.
FileSamples read_csv(const std::string &path, std::string_view text, const ReadOptions &o) {
    FileSamples fs;
    fs.format = InputFormat::csv;
    const std::string want = normalize(o.field.empty() ? "throughput" : o.field);
    std::vector<std::string> pending, header;
    std::vector<std::string> seen_headers;
    size_t col = 0;             // 1-based, once known
    size_t units_col = 0;       // 1-based column of "<field> Units", if any
    size_t headerless_cells = 0;
    bool had_header = false;
    std::vector<double> headerless;  // values (and units) read before any header
    std::string headerless_units;
    auto lines = lines_of(text);
    for (size_t ln = 0; ln < lines.size(); ln++) {
        if (trim(lines[ln]).empty()) continue;
        auto cells = split_csv(lines[ln]);
        bool any_number = std::any_of(cells.begin(), cells.end(), [](const std::string &c) { return bool(to_number(c)); });
        if (!any_number) {
            pending = cells;
            continue;
        }
        if (!pending.empty() && pending.size() == cells.size() && pending != header) {
            header = pending;
            col = units_col = 0;
            for (size_t i = 0; i < header.size(); i++) {
                std::string h = normalize(header[i]);
                if (o.column == 0 && col == 0 && h == want) col = i + 1;
                if (h == want + "units") units_col = i + 1;
            }
            if (o.column > 0) col = size_t(o.column);
            had_header = true;
            if (col == 0 || col > header.size()) {
                seen_headers = header;
                header.clear();
            }
        }
        pending.clear();
        if (!header.empty()) {
            if (cells.size() != header.size()) continue;
        } else if (!seen_headers.empty() || !o.field.empty()) {
            continue;  // a header without the field: reported below if nothing else matches
        } else {
            // No header at all (netperf -P 0 -o): --column, else the first.
            col = o.column > 0 ? size_t(o.column) : 1;
            if (headerless_cells == 0) headerless_cells = cells.size();
            if (cells.size() != headerless_cells) continue;
            if (col > cells.size())
                throw Error(at_line(path, ln) + ": the line has " + std::to_string(cells.size()) + " columns, not " +
                            std::to_string(col));
        }
        auto v = to_number(cells[col - 1]);
        if (!v)
            throw Error(at_line(path, ln) + ": column " +
                        (header.empty() ? std::to_string(col) : "'" + header[col - 1] + "'") + " is '" + cells[col - 1] +
                        "', not a number");
        (header.empty() ? headerless : fs.values).push_back(*v);
        std::string &units = header.empty() ? headerless_units : fs.units;
        if (units.empty()) {
            if (units_col && units_col <= cells.size()) units = cells[units_col - 1];
            else if (col < cells.size() && looks_like_units(cells[col])) units = cells[col];
        }
    }
    if (!had_header) {
        fs.values = std::move(headerless);
        fs.units = headerless_units;
    }
    if (fs.values.empty()) {
        if (!seen_headers.empty())
            throw Error(path + ": no column '" + (o.field.empty() ? "throughput" : o.field) + "' (columns: " +
                        join(seen_headers) + ")");
        if (!o.field.empty() && header.empty())
            throw Error(path + ": no header line naming '" + o.field + "'");
        throw Error(path + ": no result values found");
    }
    return fs;
}

// OMNI -k: NAME=value per line; every line with the wanted key is one
// result (a file may hold many runs). NAME_UNITS gives the units.
FileSamples read_keyval(const std::string &path, std::string_view text, const ReadOptions &o) {
    FileSamples fs;
    fs.format = InputFormat::keyval;
    const std::string want = normalize(o.field.empty() ? "THROUGHPUT" : o.field);
    std::vector<std::string> keys;
    auto lines = lines_of(text);
    for (size_t ln = 0; ln < lines.size(); ln++) {
        std::string_view line = trim(lines[ln]);
        size_t eq = line.find('=');
        if (eq == std::string_view::npos || eq == 0) continue;
        std::string key(trim(line.substr(0, eq)));
        std::string value = unquote(line.substr(eq + 1));
        std::string k = normalize(key);
        if (k == want) {
            auto v = to_number(value);
            if (!v) throw Error(at_line(path, ln) + ": " + key + " is '" + value + "', not a number");
            fs.values.push_back(*v);
        } else if (k == want + "units") {
            if (fs.units.empty()) fs.units = value;
        } else if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            keys.push_back(key);
        }
    }
    if (fs.values.empty())
        throw Error(path + ": no key '" + (o.field.empty() ? "THROUGHPUT" : o.field) + "' (keys: " + join(keys) + ")");
    return fs;
}

// A member of an object by name, ignoring case.
const nlohmann::json *member(const nlohmann::json &obj, std::string_view name) {
    if (!obj.is_object()) return nullptr;
    std::string want = normalize(name);
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (normalize(it.key()) == want) return &it.value();
    return nullptr;
}

// Follows a dotted path ("latency.p99") from obj; the parent object of the
// last step is returned too, for the units beside it.
const nlohmann::json *follow(const nlohmann::json &obj, const std::string &path, const nlohmann::json **parent) {
    const nlohmann::json *cur = &obj;
    size_t start = 0;
    while (cur) {
        size_t dot = path.find('.', start);
        *parent = cur;
        cur = member(*cur, std::string_view(path).substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) return cur;
        start = dot + 1;
    }
    return nullptr;
}

FileSamples read_json(const std::string &path, std::string_view text, const ReadOptions &o) {
    FileSamples fs;
    fs.format = InputFormat::json;
    const std::string field = o.field.empty() ? "throughput" : o.field;
    // One document, or several one after the other (results appended by a
    // loop, JSON Lines).
    std::istringstream in{std::string(text)};
    size_t docs = 0;
    try {
        while ((in >> std::ws).peek() != std::char_traits<char>::eof()) {
            nlohmann::json doc;
            in >> doc;
            std::string units = read_json_samples(doc, field, fs.values);
            if (fs.units.empty()) fs.units = units;
            docs++;
        }
    } catch (const nlohmann::json::exception &e) {
        std::string why = e.what();
        size_t bracket = why.find("] ");
        throw Error(path + ": not valid JSON (" + (bracket == std::string::npos ? why : why.substr(bracket + 2)) + ")");
    }
    if (fs.values.empty())
        throw Error(path + ": no '" + field + "' values in " + (docs ? "the JSON" : "an empty file") +
                    " (read: arrays, \"iterations\", \"results\", the field itself; nested fields as a.b, e.g. tx.throughput)");
    return fs;
}

}  // namespace

std::optional<InputFormat> parse_input_format(std::string_view name) {
    if (name == "auto") return InputFormat::automatic;
    if (name == "terse") return InputFormat::terse;
    if (name == "csv") return InputFormat::csv;
    if (name == "keyval") return InputFormat::keyval;
    if (name == "json") return InputFormat::json;
    return std::nullopt;
}

const char *input_format_name(InputFormat f) {
    switch (f) {
    case InputFormat::automatic: return "auto";
    case InputFormat::terse: return "terse";
    case InputFormat::csv: return "csv";
    case InputFormat::keyval: return "keyval";
    case InputFormat::json: return "json";
    }
    return "?";
}

InputFormat detect_format(std::string_view text, bool field_given) {
    std::string_view t = trim(text);
    if (!t.empty() && (t.front() == '{' || t.front() == '[')) return InputFormat::json;
    bool comma = false;
    for (std::string_view line : lines_of(text)) {
        line = trim(line);
        size_t eq = line.find('=');
        if (eq != std::string_view::npos && eq > 0) {
            std::string_view key = line.substr(0, eq);
            bool ident = std::isalpha(static_cast<unsigned char>(key[0])) || key[0] == '_';
            for (char c : key)
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '[' && c != ']') ident = false;
            if (ident) return InputFormat::keyval;
        }
        if (line.find(',') != std::string_view::npos) comma = true;
    }
    return comma || field_given ? InputFormat::csv : InputFormat::terse;
}

int terse_column_for_test(std::string_view test) {
    std::string t;
    for (char c : test) t += char(std::toupper(static_cast<unsigned char>(c)));
    // Columns of netperf 2.7's -P 0 lines (docs: ../shared/legacy/CLI.md 5.8, 5.9):
    // stream: recv socket, send socket, message size, elapsed, throughput;
    // RR: send socket, recv socket, request, response, elapsed, rate;
    // UDP_STREAM: socket, message, elapsed, messages ok, errors, throughput.
    for (const char *s : {"TCP_STREAM", "TCP_MAERTS", "TCP_SENDFILE", "STREAM_STREAM", "OMNI"})
        if (t == s) return 5;
    for (const char *s : {"TCP_RR", "TCP_CRR", "TCP_CC", "UDP_RR", "STREAM_RR", "DG_RR", "UDP_STREAM", "DG_STREAM"})
        if (t == s) return 6;
    return 0;
}

FileSamples read_result_text(const std::string &path, std::string_view text, const ReadOptions &opts) {
    if (!opts.test.empty() && opts.column == 0 && terse_column_for_test(opts.test) == 0)
        throw Error("--test " + opts.test + ": not a netperf test this tool knows the columns of; give --column N");
    InputFormat f = opts.format == InputFormat::automatic ? detect_format(text, !opts.field.empty()) : opts.format;
    switch (f) {
    case InputFormat::json: return read_json(path, text, opts);
    case InputFormat::keyval: return read_keyval(path, text, opts);
    case InputFormat::csv: return read_csv(path, text, opts);
    case InputFormat::terse:
    case InputFormat::automatic: break;
    }
    return read_terse(path, text, opts);
}

FileSamples read_result_file(const std::string &path, const ReadOptions &opts) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open " + path + ": " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) throw Error("cannot read " + path + ": " + std::strerror(errno));
    return read_result_text(path, ss.str(), opts);
}

namespace {

// Units stated beside the field in obj ("<field>_units" or "units"), or in
// its "results" block.
std::string json_units(const nlohmann::json &obj, const std::string &field) {
    if (!obj.is_object()) return "";
    const nlohmann::json *parent = nullptr;
    follow(obj, field, &parent);
    std::string last = field.substr(field.rfind('.') == std::string::npos ? 0 : field.rfind('.') + 1);
    for (const std::string &key : {last + "_units", std::string("units")}) {
        const nlohmann::json *u = parent ? member(*parent, key) : nullptr;
        if (u && u->is_string()) return u->get<std::string>();
    }
    if (const nlohmann::json *r = member(obj, "results")) return json_units(*r, field);
    return "";
}

}  // namespace

// The JSON shapes, one function so a new one is one more branch. Objects:
// "iterations" first (raw samples beat a summary), then "results", then the
// field itself.
std::string read_json_samples(const nlohmann::json &doc, const std::string &field, std::vector<double> &out) {
    if (doc.is_number()) {
        out.push_back(doc.get<double>());
        return "";
    }
    std::string units;
    if (doc.is_array()) {
        for (const auto &e : doc) {
            std::string u = read_json_samples(e, field, out);
            if (units.empty()) units = u;
        }
        return units;
    }
    if (!doc.is_object()) return "";
    for (const char *block : {"iterations", "results"}) {
        if (const nlohmann::json *b = member(doc, block)) {
            size_t before = out.size();
            units = read_json_samples(*b, field, out);
            if (out.size() > before) return units.empty() ? json_units(doc, field) : units;
        }
    }
    // A dotted field descends one step and reads the rest there, so
    // "tx.throughput" finds tx's own iterations (results {"tx":..,"rx":..}).
    if (size_t dot = field.find('.'); dot != std::string::npos) {
        if (const nlohmann::json *sub = member(doc, std::string_view(field).substr(0, dot))) {
            if (sub->is_object() || sub->is_array()) {
                size_t before = out.size();
                units = read_json_samples(*sub, field.substr(dot + 1), out);
                if (out.size() > before) return units;
            }
        }
    }
    const nlohmann::json *parent = nullptr;
    const nlohmann::json *v = follow(doc, field, &parent);
    if (!v) return "";
    if (v->is_object()) {
        if (const nlohmann::json *m = member(*v, "mean")) v = m;
        else if (const nlohmann::json *m2 = member(*v, "value")) v = m2;
    }
    if (v->is_number()) {
        out.push_back(v->get<double>());
    } else if (v->is_array()) {
        for (const auto &e : *v)
            if (e.is_number()) out.push_back(e.get<double>());
    }
    return json_units(doc, field);
}

}  // namespace netperf::aggregate
