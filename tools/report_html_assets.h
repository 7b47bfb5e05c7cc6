// The inline style sheet and script of report.html.
#pragma once

namespace iowq::tools::html_assets {

extern const char* const style;
// Optional: a checkbox hiding the plain accesses inside steps. The report reads the same without it.
extern const char* const script;

}  // namespace iowq::tools::html_assets
