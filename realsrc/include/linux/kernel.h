/* Stands in for <linux/kernel.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_KERNEL_H
#define KENV_LINUX_KERNEL_H
#include "kenv.h"
#endif
