/* Stands in for <linux/slab.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_SLAB_H
#define KENV_LINUX_SLAB_H
#include "kenv.h"
#endif
