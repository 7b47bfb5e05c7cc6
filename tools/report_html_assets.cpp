#include "report_html_assets.h"

namespace iowq::tools::html_assets {

const char* const style =
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{margin-bottom:.2em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #bbb;padding:3px 6px;vertical-align:top;font-size:13px;text-align:left}"
    "th{background:#eee}a{color:#04c}code{background:#f3f3f3;padding:1px 3px}"
    ".ok{background:#d8f5d8}.found{background:#fde3bf}.warn{background:#fff3b0}"
    ".bad{background:#f7b4b4;outline:2px solid #c00;outline-offset:-2px}"
    ".flag{color:#a00;font-weight:bold;font-size:11px}.meta{color:#555;font-size:11px;white-space:nowrap}"
    ".legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #bbb;font-size:12px}"
    "#matrix td{min-width:8em}#matrix th.sc{min-width:14em;max-width:20em}#matrix .meta{white-space:normal}"
    "#matrix tr.family th{text-align:left;background:#e8ecf4;font-size:1.05em}"
    "td.num{text-align:right;white-space:nowrap}"
    ".lanes td,.lanes th{font-family:ui-monospace,monospace;font-size:12px}"
    ".lanes td.st{min-width:18em}.lanes td.n{color:#666;text-align:right}"
    ".lanes tr.sub td{color:#777;font-size:11px}.lanes tr.sub td.st{padding-left:1.5em}"
    ".lanes tr.fail td.st{background:#f7b4b4;font-weight:bold}"
    ".op{font-weight:bold}.obj{color:#333}.val{color:#05a}.src{color:#888;font-size:11px}.tn{font-weight:normal}"
    "body.hide-sub .lanes tr.sub{display:none}"
    "details{margin:.3em 0 1em}summary{cursor:pointer}";

const char* const script =
    "document.addEventListener('DOMContentLoaded',function(){"
    "var b=document.getElementById('hide-sub');if(!b)return;"
    "b.addEventListener('change',function(){document.body.classList.toggle('hide-sub',b.checked);});"
    "document.body.setAttribute('data-ready','1');});";

}  // namespace iowq::tools::html_assets
