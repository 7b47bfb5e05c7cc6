/* Stands in for <linux/percpu.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_PERCPU_H
#define KENV_LINUX_PERCPU_H
#include "kenv.h"
#endif
