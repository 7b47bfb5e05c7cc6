// The progress line of long runs: counters the job processes share (progress_board) and the thread
// that prints them (progress_printer).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace iowq::tools {

// Counters the searching processes update and the printing thread reads: in memory shared across
// fork(), so that the jobs of --jobs N report into one line.
class progress_board {
 public:
  struct job {
    std::atomic<std::uint64_t> done_executions{0};  // of finished targets
    std::atomic<std::uint64_t> executions{0};       // of the target running now
    std::atomic<std::uint32_t> current{0};          // index of the target running now
    std::atomic<bool> busy{false};                  // running a target
  };
  struct tgt {
    std::atomic<std::uint32_t> jobs_done{0}, violated{0}, inconclusive{0};
  };
  struct head {
    std::atomic<std::size_t> next{0};
  };

  progress_board(int jobs, std::size_t targets);
  ~progress_board();
  progress_board(const progress_board&) = delete;
  progress_board& operator=(const progress_board&) = delete;

  // The next target to take, for jobs that split the work by target.
  std::size_t take() { return head_->next.fetch_add(1); }
  job& at_job(int j) { return jobs_[j]; }
  tgt& at_target(std::size_t k) { return tgts_[k]; }
  int jobs() const { return njobs_; }
  std::uint32_t runs_per_target = 1;  // jobs that each run a part of every target, or 1
  std::size_t targets() const { return ntargets_; }

 private:
  void* mem_ = nullptr;
  std::size_t size_ = 0;
  int njobs_ = 1;
  std::size_t ntargets_ = 0;
  head* head_ = nullptr;
  job* jobs_ = nullptr;
  tgt* tgts_ = nullptr;
};

// Prints the progress line on stderr once the run is longer than a second: on a terminal rewritten
// in place every second, otherwise (CI logs) a plain line every 10 seconds.
class progress_printer {
 public:
  progress_printer(progress_board& b, std::vector<std::string> names);
  ~progress_printer();

  void start();
  void stop();
  // Output on the terminal must not interleave with the progress line: hold this while printing.
  std::unique_lock<std::mutex> hold();

 private:
  void loop();
  std::string text(double t);
  void erase();
  void erase_locked();

  progress_board& board_;
  std::vector<std::string> names_;
  bool tty_;
  std::chrono::steady_clock::time_point t0_;
  std::thread th_;
  std::mutex mu_, out_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool shown_ = false;
};

}  // namespace iowq::tools
