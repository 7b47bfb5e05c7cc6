#include "chk/trace_json.h"

#include <string>

namespace chk {

using json = nlohmann::json;

void to_json(json& j, const trace_step& s) {
  j = {{"step", s.step},     {"thread", s.thread}, {"visible", s.visible},   {"op", s.op},
       {"object", s.object}, {"detail", s.detail}, {"location", s.location}, {"function", s.function}};
}

void from_json(const json& j, trace_step& s) {
  s.step = j.at("step").get<int>();
  s.thread = j.at("thread").get<int>();
  s.visible = j.at("visible").get<bool>();
  s.op = j.at("op").get<std::string>();
  s.object = j.at("object").get<std::string>();
  s.detail = j.at("detail").get<std::string>();
  s.location = j.at("location").get<std::string>();
  s.function = j.at("function").get<std::string>();
}

json trace_to_json(const std::vector<trace_step>& trace) {
  json steps = json::array();
  for (const auto& s : trace) steps.push_back(s);
  return steps;
}

std::vector<trace_step> trace_from_json(const json& j) {
  std::vector<trace_step> trace;
  for (const json& s : j) trace.push_back(s.get<trace_step>());
  return trace;
}

}  // namespace chk
