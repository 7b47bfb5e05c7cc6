// The JSON form of a trace, written once: replay files (replay.h) and the results files of
// iowq-verify both hold traces as arrays of these step objects.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "chk/trace.h"

namespace chk {

// {"step", "thread", "visible", "op", "object", "detail", "location", "function"}. Found by
// nlohmann::json through argument-dependent lookup (json j = step; step = j.get<trace_step>()).
void to_json(nlohmann::json& j, const trace_step& s);
// Throws nlohmann::json::exception when a field is missing or of another type.
void from_json(const nlohmann::json& j, trace_step& s);

// A whole trace: a JSON array of steps.
nlohmann::json trace_to_json(const std::vector<trace_step>& trace);
// Reads the steps of `j` one by one (an array, or any JSON value whose elements are steps); throws
// nlohmann::json::exception on a malformed step.
std::vector<trace_step> trace_from_json(const nlohmann::json& j);

}  // namespace chk
