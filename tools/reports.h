// The report writers: Markdown (report_markdown.cpp), self-contained HTML (report_html.cpp) and
// JUnit XML (report_junit.cpp), each from the rows of a run.
#pragma once

#include <string>
#include <vector>

#include "results.h"

namespace iowq::tools {

void write_markdown(const std::string& path, const std::vector<row>& rows, const run_info& info);
void write_html(const std::string& path, const std::vector<row>& rows, const run_info& info);
void write_junit(const std::string& path, const std::vector<row>& rows, const run_info& info);

}  // namespace iowq::tools
