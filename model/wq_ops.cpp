#include "model/wq_ops.h"

namespace iowq {

#if defined(IOWQ_HAVE_UPSTREAM)
const wq_ops& ops_upstream();
#endif

const wq_ops& ops_for(variant v) {
  switch (v) {
    case variant::baseline:
    case variant::v1:
    case variant::merged:
      return ops_6_14();
#if defined(IOWQ_HAVE_UPSTREAM)
    case variant::upstream:
    case variant::upstream_fix_strand:
    case variant::upstream_fix_wrap:
    case variant::upstream_fix_tw_uaf:
    case variant::upstream_fix_hash_defer:
    case variant::upstream_fixed:
      return ops_upstream();
#else
    default:
      break;
#endif
  }
  return ops_6_14();
}

}  // namespace iowq
