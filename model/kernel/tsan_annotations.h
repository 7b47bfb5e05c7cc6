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

// A scope that calls an annotation pair on entry and exit (when TSan is linked in).
class tsan_scope {
 public:
  using annotation = void (*)(const char*, int);
  tsan_scope(annotation begin, annotation end) : end_(end) {
    if (begin) begin(__FILE__, __LINE__);
  }
  ~tsan_scope() {
    if (end_) end_(__FILE__, __LINE__);
  }
  tsan_scope(const tsan_scope&) = delete;
  tsan_scope& operator=(const tsan_scope&) = delete;

 private:
  annotation end_;
};

// TSan ignores the calling thread's synchronisation in this scope: its atomics create no
// happens-before edges.
struct tsan_ignore_sync : tsan_scope {
  tsan_ignore_sync() : tsan_scope(AnnotateIgnoreSyncBegin, AnnotateIgnoreSyncEnd) {}
};

// TSan ignores the calling thread's reads in this scope (the kernel's data_race()).
struct tsan_ignore_reads : tsan_scope {
  tsan_ignore_reads() : tsan_scope(AnnotateIgnoreReadsBegin, AnnotateIgnoreReadsEnd) {}
};

// TSan ignores the calling thread's synchronisation, reads and writes in this scope.
struct tsan_blind {
  tsan_ignore_sync sync_;
  tsan_ignore_reads reads_;
  tsan_scope writes_{AnnotateIgnoreWritesBegin, AnnotateIgnoreWritesEnd};
};

}  // namespace kern::native
