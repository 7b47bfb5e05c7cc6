// ThreadSanitizer's annotations, declared once: weak, so that everything also links without
// -fsanitize=thread (then they are null and the scopes below do nothing).
#pragma once

extern "C" {
void AnnotateIgnoreSyncBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreSyncEnd(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsEnd(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreWritesBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreWritesEnd(const char* file, int line) __attribute__((weak));
}

namespace kern::native {

// TSan ignores the calling thread's synchronisation in this scope: its atomics create no
// happens-before edges.
struct tsan_ignore_sync {
  tsan_ignore_sync() {
    if (AnnotateIgnoreSyncBegin) AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  }
  ~tsan_ignore_sync() {
    if (AnnotateIgnoreSyncEnd) AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
  }
  tsan_ignore_sync(const tsan_ignore_sync&) = delete;
  tsan_ignore_sync& operator=(const tsan_ignore_sync&) = delete;
};

// TSan ignores the calling thread's reads in this scope (the kernel's data_race()).
struct tsan_ignore_reads {
  tsan_ignore_reads() {
    if (AnnotateIgnoreReadsBegin) AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  }
  ~tsan_ignore_reads() {
    if (AnnotateIgnoreReadsEnd) AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  }
  tsan_ignore_reads(const tsan_ignore_reads&) = delete;
  tsan_ignore_reads& operator=(const tsan_ignore_reads&) = delete;
};

// TSan ignores the calling thread's synchronisation, reads and writes in this scope.
struct tsan_blind {
  tsan_blind() {
    if (AnnotateIgnoreWritesBegin) AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  }
  ~tsan_blind() {
    if (AnnotateIgnoreWritesEnd) AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  }
  tsan_blind(const tsan_blind&) = delete;
  tsan_blind& operator=(const tsan_blind&) = delete;

 private:
  tsan_ignore_sync sync_;
  tsan_ignore_reads reads_;
};

}  // namespace kern::native
