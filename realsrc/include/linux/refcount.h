/* Stands in for <linux/refcount.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_REFCOUNT_H
#define KENV_LINUX_REFCOUNT_H
#include "kenv.h"
#endif
