/* Stands in for <linux/cpuset.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_CPUSET_H
#define KENV_LINUX_CPUSET_H
#include "kenv.h"
#endif
