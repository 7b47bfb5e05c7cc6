// Real-source mode's driver: patch, compile, check and load a tree's io-wq.c (loader.h).
#include "realsrc/loader.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace realsrc {
namespace {

struct ran {
  int code = -1;
  std::string out;  // stdout and stderr
};

// Runs argv in cwd (no shell), with stdin from /dev/null.
ran run(const std::vector<std::string>& argv, const std::string& cwd = "") {
  int fds[2];
  if (pipe(fds) != 0) throw tree_error("pipe failed", 3);
  const pid_t pid = fork();
  if (pid < 0) throw tree_error("fork failed", 3);
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    const int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    std::fprintf(stderr, "cannot run %s: %s\n", a[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  ran r;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) r.out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return r;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string sha256_of_text(const std::string& text, const fs::path& scratch) {
  const fs::path tmp = scratch / ".hash-input";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
  }
  ran r = run({"sha256sum", tmp.string()});
  fs::remove(tmp);
  if (r.code != 0 || r.out.size() < 64) throw tree_error("sha256sum failed: " + r.out, 3);
  return r.out.substr(0, 64);
}

std::string makefile_version(const fs::path& dir) {
  std::ifstream f(dir / "Makefile");
  std::map<std::string, std::string> v;
  std::string line;
  for (int i = 0; i < 12 && std::getline(f, line); ++i) {
    for (const char* k : {"VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"}) {
      const std::string key = std::string(k) + " =";
      if (line.rfind(key, 0) == 0) {
        std::string val = line.substr(key.size());
        val.erase(0, val.find_first_not_of(' '));
        v[k] = val;
      }
    }
  }
  if (v["VERSION"].empty()) return "unknown";
  std::string s = v["VERSION"] + "." + v["PATCHLEVEL"];
  if (!v["SUBLEVEL"].empty()) s += "." + v["SUBLEVEL"];
  return s + v["EXTRAVERSION"];
}

// A patch's name for the variant: its file name without .patch/.diff.
std::string patch_name(const std::string& p) {
  std::string n = fs::path(p).filename().string();
  for (const char* ext : {".patch", ".diff"})
    if (n.size() > std::strlen(ext) && n.compare(n.size() - std::strlen(ext), std::strlen(ext), ext) == 0)
      n.resize(n.size() - std::strlen(ext));
  return n;
}

fs::path cache_root() {
  if (const char* c = std::getenv("IOWQ_REALSRC_CACHE")) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME")) return fs::path(x) / "iowq-verify" / "realsrc";
  const char* home = std::getenv("HOME");
  return fs::path(home ? home : "/tmp") / ".cache" / "iowq-verify" / "realsrc";
}

// ---- line tables: pc offset -> io-wq.c line, function ----------------------------------------------

struct line_row {
  std::uintptr_t off;
  unsigned line;
  const char* file;
};
struct func_row {
  std::uintptr_t off;
  const char* name;
};
struct object_lines {
  std::uintptr_t base = 0, end = 0;
  std::vector<line_row> lines;  // sorted by off
  std::vector<func_row> funcs;  // sorted by off
};

std::mutex g_lines_m;
std::vector<std::unique_ptr<object_lines>> g_objects;
std::set<std::string> g_strings;  // interned names (stable addresses)

const char* intern(const std::string& s) { return g_strings.insert(s).first->c_str(); }

// objdump --dwarf=decodedline: rows "FILE  LINE  0xADDR  [view] [x]" under "CU:" headers.
void parse_lines(const std::string& text, object_lines& o) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream w(line);
    std::string file, ln, addr;
    if (!(w >> file >> ln >> addr)) continue;
    if (addr.rfind("0x", 0) != 0 || ln.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string base = fs::path(file).filename().string();
    if (base != "io-wq.c" && base != "io-wq.h" && base != "slist.h" && base != "wrapper.c") continue;
    o.lines.push_back(
        {std::stoull(addr, nullptr, 16), static_cast<unsigned>(std::stoul(ln)), intern("io_uring/" + base)});
  }
  std::stable_sort(o.lines.begin(), o.lines.end(), [](const line_row& a, const line_row& b) { return a.off < b.off; });
}

void parse_funcs(const std::string& text, object_lines& o) {
  std::istringstream in(text);
  std::string addr, kind, name;
  while (in >> addr >> kind) {
    std::getline(in, name);
    name.erase(0, name.find_first_not_of(' '));
    if (kind != "t" && kind != "T") continue;
    o.funcs.push_back({std::stoull(addr, nullptr, 16), intern(name)});
  }
  std::sort(o.funcs.begin(), o.funcs.end(), [](const func_row& a, const func_row& b) { return a.off < b.off; });
}

void check_symbols(const fs::path& so) {
  ran r = run({"nm", "-D", "--undefined-only", so.string()});
  if (r.code != 0) throw tree_error("nm failed on " + so.string() + ": " + r.out, 3);
  std::istringstream in(r.out);
  std::string kind, sym;
  std::vector<std::string> missing;
  while (in >> kind) {
    if (kind != "U" && kind != "w") continue;
    in >> sym;
    const std::string bare = sym.substr(0, sym.find('@'));
    if (kind == "U" && !dlsym(RTLD_DEFAULT, bare.c_str())) missing.push_back(bare);
  }
  if (!missing.empty()) {
    std::string m = "the compiled io-wq.c uses what the kernel environment lacks:";
    for (const auto& s : missing) m += " " + s;
    throw tree_error(m + " (add it to realsrc/include/kenv.h and realsrc/shim.cpp)", 2);
  }
}

template <class F>
void sym(void* h, const char* name, F& f, bool required = true) {
  void* p = dlsym(h, name);
  if (!p && required) throw tree_error(std::string("the compiled io-wq has no ") + name, 3);
  f = reinterpret_cast<F>(p);
}

std::string compiler() {
  const char* cc = std::getenv("CC");
  return cc && *cc ? cc : "cc";
}

}  // namespace

std::string env_dir() { return IOWQ_REALSRC_DIR; }

chk::srcloc location_of(const void* pc) {
  const auto a = reinterpret_cast<std::uintptr_t>(pc) - 1;
  std::lock_guard<std::mutex> g(g_lines_m);
  for (const auto& o : g_objects) {
    if (a < o->base || a >= o->end) continue;
    const std::uintptr_t off = a - o->base;
    const char* file = "io_uring/io-wq.c";
    unsigned line = 0;
    auto it = std::upper_bound(o->lines.begin(), o->lines.end(), off,
                               [](std::uintptr_t v, const line_row& r) { return v < r.off; });
    if (it != o->lines.begin()) {
      --it;
      file = it->file;
      line = it->line;
    }
    const char* fn = "";
    auto f = std::upper_bound(o->funcs.begin(), o->funcs.end(), off,
                              [](std::uintptr_t v, const func_row& r) { return v < r.off; });
    if (f != o->funcs.begin()) fn = (--f)->name;
    return chk::srcloc::current(file, line, fn);
  }
  return chk::srcloc::current("?", 0, "?");
}

const loaded_tree& load_tree(const std::string& dir_in, const std::vector<std::string>& patches, std::FILE* log) {
  static std::map<std::string, std::unique_ptr<loaded_tree>> loaded;
  const fs::path dir = fs::absolute(dir_in);
  std::string key_in = dir.string();
  for (const auto& p : patches) key_in += "\n" + fs::absolute(p).string();
  if (auto it = loaded.find(key_in); it != loaded.end()) return *it->second;

  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw tree_error("--kernel-src " + dir_in + ": no such directory", 2);
  for (const char* f : {"io-wq.c", "io-wq.h", "slist.h"})
    if (!fs::is_regular_file(dir / "io_uring" / f, ec))
      throw tree_error("--kernel-src " + dir_in + " has no io_uring/" + f + " (is it a kernel tree?)", 2);
  for (const auto& p : patches)
    if (!fs::is_regular_file(p, ec)) throw tree_error("--patch " + p + ": no such file", 2);

  auto t = std::make_unique<loaded_tree>();
  t->dir = dir.string();
  t->patches = patches;
  t->version = makefile_version(dir);
  t->name = "linux-" + t->version;
  for (const auto& p : patches) t->name += "+" + patch_name(p);

  // A scratch copy of io_uring/, patched in order.
  char tmpl[] = "/tmp/iowq-realsrc-XXXXXX";
  if (!mkdtemp(tmpl)) throw tree_error("cannot make a scratch directory", 3);
  const fs::path scratch = tmpl;
  struct cleanup {
    fs::path p;
    ~cleanup() {
      std::error_code e;
      fs::remove_all(p, e);
    }
  } cleanup_scratch{scratch};
  // The whole io_uring/ is patched (a patch may touch other files too); only io-wq.c, io-wq.h and
  // slist.h go to the compile directory, where our headers stand for everything else.
  const fs::path tree = scratch / "tree";
  fs::create_directories(tree / "io_uring");
  for (const auto& e : fs::directory_iterator(dir / "io_uring"))
    if (e.is_regular_file()) fs::copy_file(e.path(), tree / "io_uring" / e.path().filename());
  for (const auto& p : patches) {
    ran r = run({"patch", "-p1", "-s", "--no-backup-if-mismatch", "-i", fs::absolute(p).string()}, tree.string());
    if (r.code != 0) {
      std::string msg = r.out;
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      throw tree_error("patch " + p + " does not apply to " + dir_in + ": " + msg, 2);
    }
  }
  const fs::path build = scratch / "build";
  const fs::path src = build / "io_uring";
  fs::create_directories(src);
  for (const char* f : {"io-wq.c", "io-wq.h", "slist.h"}) fs::copy_file(tree / "io_uring" / f, src / f);
  const std::string c = slurp(src / "io-wq.c"), h = slurp(src / "io-wq.h");

  // What this io-wq looks like (wrapper.c's feature macros).
  std::vector<std::string> defs;
  if (h.find("put_work_fn") != std::string::npos)
    defs.push_back("-DKENV_REQ_PUT_WORK");
  else if (h.find("io_wq_work_fn") != std::string::npos)
    defs.push_back("-DKENV_REQ_DO_WORK");
  if (c.find("workers_lock") != std::string::npos) defs.push_back("-DKENV_WORKERS_LOCK");
  if (c.find("IO_WQ_BIT_EXIT_ON_IDLE") != std::string::npos && h.find("io_wq_set_exit_on_idle") != std::string::npos)
    defs.push_back("-DKENV_EXIT_ON_IDLE");

  const fs::path env = env_dir();
  const std::vector<std::string> flags = {"-std=gnu11",
                                          "-O1",
                                          "-g",
                                          "-fPIC",
                                          "-fexceptions",
                                          "-fsanitize=thread",
                                          "--param=tsan-instrument-func-entry-exit=0",
                                          "-fno-omit-frame-pointer",
                                          "-Werror=implicit-function-declaration",
                                          "-Werror=implicit-int",
                                          "-Wno-unused-function",
                                          "-Wno-unused-variable"};
  // The cache key: everything that goes into the object.
  std::string key_text = c + h + slurp(src / "slist.h") + slurp(env / "c" / "wrapper.c") + compiler();
  for (const auto& e : fs::recursive_directory_iterator(env / "include"))
    if (e.is_regular_file()) key_text += e.path().string() + slurp(e.path());
  key_text += slurp(fs::path(IOWQ_REALSRC_GEN) / "kenv_layout.h");
  for (const auto& f : flags) key_text += f;
  for (const auto& d : defs) key_text += d;
  t->io_wq_sha256 = sha256_of_text(c, scratch);
  const std::string key = sha256_of_text(key_text, scratch).substr(0, 20);
  const fs::path out = cache_root() / key;
  const fs::path so = out / "libiowq.so";

  if (fs::is_regular_file(so, ec) && fs::is_regular_file(out / "lines.txt", ec)) {
    t->cached = true;
  } else {
    const auto t0 = std::chrono::steady_clock::now();
    if (log) std::fprintf(log, "realsrc: compiling %s's io-wq.c (%s)\n", t->name.c_str(), out.c_str());
    fs::copy_file(env / "c" / "wrapper.c", src / "wrapper.c", fs::copy_options::overwrite_existing);
    std::vector<std::string> cc = {compiler()};
    cc.insert(cc.end(), flags.begin(), flags.end());
    cc.insert(cc.end(), defs.begin(), defs.end());
    for (const std::string& inc : {(env / "include").string(), std::string(IOWQ_REALSRC_GEN)}) {
      cc.push_back("-I");
      cc.push_back(inc);
    }
    cc.insert(cc.end(), {"-c", "io_uring/wrapper.c", "-o", "io_uring/wrapper.o"});
    ran r = run(cc, build.string());
    if (r.code != 0) {
      // Name what the environment lacks, then show the compiler's errors.
      std::set<std::string> lacking;
      std::istringstream in(r.out);
      std::string line, errors;
      int shown = 0;
      while (std::getline(in, line)) {
        if (line.find("error") == std::string::npos) continue;
        if (shown++ < 12) errors += "  " + line + "\n";
        for (const char* marker :
             {"implicit declaration of function ", "undeclared (first use", "unknown type name "}) {
          if (line.find(marker) == std::string::npos) continue;
          auto q1 = line.find_first_of("'\xe2");
          if (q1 == std::string::npos) continue;
          std::size_t start = line[q1] == '\'' ? q1 + 1 : q1 + 3;
          auto q2 = line.find_first_of("'\xe2", start);
          if (q2 != std::string::npos) lacking.insert(line.substr(start, q2 - start));
        }
      }
      if (!lacking.empty()) {
        // What the tree needs and our environment does not have: one line, and the build refused.
        std::string m = "io-wq.c of " + dir_in + " uses what the kernel environment lacks:";
        for (const auto& l : lacking) m += " " + l;
        throw tree_error(m + " (add it to realsrc/include/kenv.h and realsrc/shim.cpp)", 2);
      }
      throw tree_error("io-wq.c of " + dir_in + " does not compile against the kernel environment:\n" + errors, 3);
    }
    fs::create_directories(out);
    const fs::path tmp_so = out / "libiowq.so.tmp";
    r = run({compiler(), "-shared", "-o", tmp_so.string(), (src / "wrapper.o").string()});
    if (r.code != 0) throw tree_error("linking the compiled io-wq failed: " + r.out, 3);
    ran lines = run({"objdump", "--dwarf=decodedline", tmp_so.string()});
    ran funcs = run({"nm", "--defined-only", tmp_so.string()});
    if (lines.code != 0 || funcs.code != 0) throw tree_error("objdump or nm failed on the compiled io-wq", 3);
    std::ofstream(out / "lines.txt") << lines.out;
    std::ofstream(out / "funcs.txt") << funcs.out;
    fs::rename(tmp_so, so);
    t->compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  t->library = so.string();
  check_symbols(so);
  void* hdl = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!hdl) throw tree_error(std::string("cannot load the compiled io-wq: ") + dlerror(), 3);

  auto o = std::make_unique<object_lines>();
  parse_lines(slurp(out / "lines.txt"), *o);
  parse_funcs(slurp(out / "funcs.txt"), *o);
  Dl_info di{};
  void* anchor = dlsym(hdl, "kenv_w_peek");
  if (!anchor || !dladdr(anchor, &di)) throw tree_error("cannot locate the compiled io-wq in memory", 3);
  o->base = reinterpret_cast<std::uintptr_t>(di.dli_fbase);
  o->end = o->base + (o->lines.empty() ? 0 : o->lines.back().off + 4096) + (o->funcs.empty() ? 0 : 0);
  if (!o->funcs.empty()) o->end = std::max(o->end, o->base + o->funcs.back().off + 65536);
  {
    std::lock_guard<std::mutex> g(g_lines_m);
    g_objects.push_back(std::move(o));
  }

  sym(hdl, "io_wq_enqueue", t->enqueue);
  sym(hdl, "io_wq_hash_work", t->hash_work);
  sym(hdl, "io_wq_exit_start", t->exit_start);
  sym(hdl, "io_wq_put_and_exit", t->put_and_exit);
  sym(hdl, "io_wq_cancel_cb", t->cancel_cb);
  sym(hdl, "io_wq_worker_sleeping", t->worker_sleeping);
  sym(hdl, "io_wq_worker_running", t->worker_running);
  sym(hdl, "kenv_w_hash_alloc", t->hash_alloc);
  sym(hdl, "kenv_w_put_hash", t->put_hash);
  sym(hdl, "kenv_w_create", t->create);
  sym(hdl, "kenv_w_work_init", t->work_init);
  sym(hdl, "kenv_w_work_cancelled", t->work_cancelled);
  sym(hdl, "kenv_w_set_exit_on_idle", t->set_exit_on_idle);
  sym(hdl, "kenv_w_accounting_locks", t->accounting_locks);
  sym(hdl, "kenv_w_worker_acct", t->worker_acct);
  sym(hdl, "kenv_w_peek", t->peek);
  void (*features)(kenv_features*) = nullptr;
  sym(hdl, "kenv_w_features", features);
  features(&t->features);

  auto& slot = loaded[key_in];
  slot = std::move(t);
  return *slot;
}

}  // namespace realsrc
