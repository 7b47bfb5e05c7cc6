/* Stands in for <linux/init.h> in real-source mode: the whole kernel environment is kenv.h. */
#ifndef KENV_LINUX_INIT_H
#define KENV_LINUX_INIT_H
#include "kenv.h"
#endif
