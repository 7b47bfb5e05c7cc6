#include <stdexcept>

#include "chk/api.h"
#include "engine.h"

namespace chk {

result explore(const program& p, const options& o) {
  if (std::string e = step_bound_error(o.max_steps); !e.empty()) throw std::invalid_argument("chk: " + e);
  engine e(p, o);
  return e.run();
}

namespace {
std::string named(const object& o) {
  std::string s = o.name;
  if (o.instance >= 0) s += "#" + std::to_string(o.instance);
  return s;
}
}  // namespace

void spinlock::acquire(const srcloc& loc, const char* label, bool sleeping) {
  engine* e = running_engine();
  if (!e) {
    o_.value = 1;
    return;
  }
  const int me = e->current_thread();
  if (o_.value == static_cast<std::uint64_t>(me) + 1)
    e->fail(failure_kind::lock_misuse, std::string(label) + " of " + named(o_) + " already held by this thread", loc);
  step_desc d = step_desc::on(o_, acc::rmw, label, loc, until::zero);
  d.may_block = sleeping;
  e->begin(d);
  o_.value = static_cast<std::uint64_t>(me) + 1;
  e->values(0, 0, o_.value);
  e->hb_acquire(o_);
  if (!sleeping) e->note_spinlock(+1);
  e->end();
}

void spinlock::release(const srcloc& loc, const char* label, bool sleeping) {
  engine* e = running_engine();
  if (!e) {
    o_.value = 0;
    return;
  }
  const int me = e->current_thread();
  if (o_.value != static_cast<std::uint64_t>(me) + 1)
    e->fail(failure_kind::lock_misuse,
            std::string(label) + " of " + named(o_) +
                (o_.value == 0 ? " that is not locked" : " held by T" + std::to_string(o_.value - 1)),
            loc);
  step_desc d = step_desc::on(o_, acc::write, label, loc);
  e->begin(d);
  std::uint64_t old = o_.value;
  o_.value = 0;
  e->values(0, old, 0);
  e->hb_release(o_);
  if (!sleeping) e->note_spinlock(-1);
  e->end();
}

bool spinlock::try_lock(srcloc loc, const char* label) {
  engine* e = running_engine();
  if (!e) {
    if (o_.value) return false;
    o_.value = 1;
    return true;
  }
  const int me = e->current_thread();
  step_desc d = step_desc::on(o_, acc::rmw, label, loc);
  e->begin(d);
  std::uint64_t old = o_.value;
  bool got = old == 0;
  if (got) {
    o_.value = static_cast<std::uint64_t>(me) + 1;
    e->hb_acquire(o_);
    e->note_spinlock(+1);
  }
  e->values(0, old, o_.value);
  e->end();
  return got;
}

bool spinlock::held_by_me() const {
  engine* e = current_engine();
  return e && e->current_thread() >= 0 && o_.value == static_cast<std::uint64_t>(e->current_thread()) + 1;
}

}  // namespace chk
