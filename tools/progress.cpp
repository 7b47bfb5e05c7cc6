#include "progress.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <new>
#include <set>
#include <stdexcept>

#include "results.h"

namespace iowq::tools {

progress_board::progress_board(int jobs, std::size_t targets) : njobs_(jobs), ntargets_(targets) {
  size_ = sizeof(head) + sizeof(job) * static_cast<std::size_t>(jobs) + sizeof(tgt) * std::max<std::size_t>(targets, 1);
  mem_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (mem_ == MAP_FAILED) throw std::runtime_error("cannot map the progress counters");
  head_ = new (mem_) head;
  jobs_ = reinterpret_cast<job*>(head_ + 1);
  for (int i = 0; i < jobs; ++i) new (&jobs_[i]) job;
  tgts_ = reinterpret_cast<tgt*>(jobs_ + jobs);
  for (std::size_t i = 0; i < targets; ++i) new (&tgts_[i]) tgt;
}

progress_board::~progress_board() { munmap(mem_, size_); }

progress_printer::progress_printer(progress_board& b, std::vector<std::string> names)
    : board_(b), names_(std::move(names)), tty_(isatty(2) != 0), t0_(std::chrono::steady_clock::now()) {}

progress_printer::~progress_printer() { stop(); }

void progress_printer::start() {
  th_ = std::thread([this] { loop(); });
}

void progress_printer::stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (th_.joinable()) th_.join();
  erase();
}

std::unique_lock<std::mutex> progress_printer::hold() {
  std::unique_lock<std::mutex> l(out_);
  erase_locked();
  return l;
}

void progress_printer::loop() {
  std::unique_lock<std::mutex> l(mu_);
  double last = 0;
  const double every = tty_ ? 1.0 : 10.0;
  while (!stopping_) {
    cv_.wait_for(l, std::chrono::milliseconds(250));
    if (stopping_) break;
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    if (t < 1.0 || t - last < every) continue;
    last = t;
    std::string line = text(t);
    std::lock_guard<std::mutex> o(out_);
    if (tty_) {
      struct winsize ws {};
      std::size_t width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10 ? ws.ws_col - 1 : 119;
      if (line.size() > width) line.resize(width);
      std::fprintf(stderr, "\r%s\033[K", line.c_str());
      shown_ = true;
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  }
}

std::string progress_printer::text(double t) {
  std::uint64_t ex = 0;
  for (int j = 0; j < board_.jobs(); ++j)
    ex += board_.at_job(j).done_executions.load() + board_.at_job(j).executions.load();
  std::size_t done = 0, violated = 0, inconclusive = 0;
  for (std::size_t k = 0; k < board_.targets(); ++k) {
    auto& g = board_.at_target(k);
    if (g.jobs_done.load() < board_.runs_per_target) continue;
    ++done;
    if (g.violated.load())
      ++violated;
    else if (g.inconclusive.load())
      ++inconclusive;
  }
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "iowq-verify [%.0f s] %s executions, %s/s; %zu/%zu targets: %zu verified, %zu violated, %zu inconclusive", t,
      fmt_count(ex).c_str(), fmt_count(static_cast<std::uint64_t>(static_cast<double>(ex) / t)).c_str(), done,
      board_.targets(), done - violated - inconclusive, violated, inconclusive);
  std::string s = buf;
  if (board_.jobs() > 1) s += "; " + std::to_string(board_.jobs()) + " jobs";
  // What is running now (for the last, longest targets).
  std::set<std::uint32_t> now;
  for (int j = 0; j < board_.jobs(); ++j) {
    const std::uint32_t k = board_.at_job(j).current.load();
    if (k < names_.size() && board_.at_job(j).busy.load() &&
        board_.at_target(k).jobs_done.load() < board_.runs_per_target)
      now.insert(k);
  }
  std::string list;
  for (auto k : now) list += (list.empty() ? "" : ", ") + names_[k];
  if (!list.empty()) s += "; now " + list;
  return s;
}

void progress_printer::erase() {
  std::lock_guard<std::mutex> o(out_);
  erase_locked();
}

void progress_printer::erase_locked() {
  if (!shown_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  shown_ = false;
}

}  // namespace iowq::tools
