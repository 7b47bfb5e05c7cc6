/* Stands in for <linux/cpu.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_CPU_H
#define KENV_LINUX_CPU_H
#include "kenv.h"
#endif
