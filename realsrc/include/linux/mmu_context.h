/* Stands in for <linux/mmu_context.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_MMU_CONTEXT_H
#define KENV_LINUX_MMU_CONTEXT_H
#include "kenv.h"
#endif
