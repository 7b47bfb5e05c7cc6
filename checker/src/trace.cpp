#include "chk/trace.h"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace chk {

std::string short_location(const char* file, unsigned line) {
  std::string f = file ? file : "?";
  // Keep the path from the project's top folders, so traces read the same on every machine. A top
  // folder counts only where a path component starts with it: a checkout under ".../wt-tools/"
  // must not be read as the project's "tools/".
  static const char* tops[] = {"model/", "checker/", "relacy_tests/", "tsan_tests/", "tools/",
                               "bench/", "scenarios/", "realsrc/"};
  std::size_t best = std::string::npos;
  for (const char* t : tops)
    for (std::size_t p = f.rfind(t); p != std::string::npos; p = p ? f.rfind(t, p - 1) : std::string::npos)
      if (p == 0 || f[p - 1] == '/') {
        if (best == std::string::npos || p > best) best = p;
        break;
      }
  if (best != std::string::npos)
    f = f.substr(best);
  else if (auto s = f.rfind('/'); s != std::string::npos)
    f = f.substr(s + 1);
  return f + ":" + std::to_string(line);
}

std::string short_function(const char* signature) {
  if (!signature || !*signature) return {};
  std::string s = signature;
  // "void ns::cls::fn(args) [with ...]" -> "fn"
  std::size_t paren = s.find('(');
  if (paren == std::string::npos) return s;
  std::size_t start = s.rfind(' ', paren);
  std::string name =
      s.substr(start == std::string::npos ? 0 : start + 1, paren - (start == std::string::npos ? 0 : start + 1));
  if (auto c = name.rfind("::"); c != std::string::npos) {
    std::string last = name.substr(c + 2);
    if (last.rfind("<lambda", 0) == 0 || last.rfind("operator()", 0) == 0) {
      std::string outer = name.substr(0, c);
      if (auto c2 = outer.rfind("::"); c2 != std::string::npos) outer = outer.substr(c2 + 2);
      return outer + "::" + last;
    }
    return last;
  }
  return name;
}

namespace {
std::string step_text(const trace_step& s) {
  std::string t = s.op;
  if (!s.object.empty()) t += " " + s.object;
  if (!s.detail.empty()) t += " " + s.detail;
  return t;
}
}  // namespace

std::string format_trace_list(const std::vector<trace_step>& steps) {
  std::ostringstream o;
  for (const auto& s : steps) {
    if (s.visible)
      o << (s.step < 10 ? "   " : s.step < 100 ? "  " : s.step < 1000 ? " " : "") << s.step << " ";
    else
      o << "      ";
    o << (s.thread >= 0 ? "T" + std::to_string(s.thread) : std::string("--")) << " " << step_text(s);
    if (!s.location.empty()) o << "  @ " << s.location;
    if (!s.function.empty()) o << " (" << s.function << ")";
    o << "\n";
  }
  return o.str();
}

std::string format_trace_columns(const std::vector<trace_step>& steps, int width) {
  int nthreads = 0;
  for (const auto& s : steps) nthreads = std::max(nthreads, s.thread + 1);
  if (nthreads == 0) nthreads = 1;
  const std::size_t w = static_cast<std::size_t>(std::max(width, 16));
  auto cell = [w](std::string t) {
    if (t.size() > w - 1) t = t.substr(0, w - 2) + "~";
    t.resize(w, ' ');
    return t;
  };
  std::ostringstream o;
  o << "step  ";
  for (int t = 0; t < nthreads; ++t) o << cell("T" + std::to_string(t));
  o << "\n";
  for (const auto& s : steps) {
    std::string text = s.visible ? step_text(s) : "  " + step_text(s);
    std::string where;
    if (!s.location.empty()) where = s.location;
    if (!s.function.empty()) where += (where.empty() ? "" : " ") + std::string("(") + s.function + ")";
    std::string num = s.visible ? std::to_string(s.step) : "";
    num.resize(6, ' ');
    o << num;
    const int col = s.thread < 0 ? 0 : s.thread;
    for (int t = 0; t < nthreads; ++t) o << (t == col ? cell(text) : cell(t == col ? "" : "|"));
    o << where << "\n";
  }
  return o.str();
}

}  // namespace chk
