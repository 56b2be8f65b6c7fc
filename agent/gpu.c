// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gpu.c - a GPU's utilization and memory through NVML, loaded with dlopen
 * at run time so the agent needs no NVIDIA package to build or to run on
 * hosts without a GPU. The few NVML declarations it needs are copied here
 * (they are part of NVML's stable ABI).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"

#define NVML_SUCCESS 0

struct nvml_utilization {
	unsigned int gpu;    /* percent of time a kernel was running */
	unsigned int memory; /* percent of time memory was read or written */
};

struct nvml_memory {
	unsigned long long total, free, used;
};

static const char *nvml_error(struct gpu_collector *c, int ret)
{
	return c->error_string ? c->error_string(ret) : "unknown NVML error";
}

int gpu_open(struct gpu_collector *c, const char *lib, int index)
{
	int (*init)(void);
	int (*by_index)(unsigned int index, void **device);
	int ret;

	memset(c, 0, sizeof(*c));
	c->lib = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
	if (!c->lib) {
		agent_err("gpu %d: NVML is not available (%s): install the NVIDIA driver, "
			  "or leave out --gpu",
			  index, dlerror());
		return -1;
	}
	init = (int (*)(void))dlsym(c->lib, "nvmlInit_v2");
	by_index = (int (*)(unsigned int, void **))dlsym(c->lib, "nvmlDeviceGetHandleByIndex_v2");
	c->util = (int (*)(void *, void *))dlsym(c->lib, "nvmlDeviceGetUtilizationRates");
	c->meminfo = (int (*)(void *, void *))dlsym(c->lib, "nvmlDeviceGetMemoryInfo");
	c->shutdown = (int (*)(void))dlsym(c->lib, "nvmlShutdown");
	c->error_string = (const char *(*)(int))dlsym(c->lib, "nvmlErrorString");
	if (!init || !by_index || !c->util || !c->meminfo || !c->shutdown) {
		agent_err("gpu %d: %s lacks the NVML functions the agent needs", index, lib);
		dlclose(c->lib);
		c->lib = NULL;
		return -1;
	}
	ret = init();
	if (ret != NVML_SUCCESS) {
		agent_err("gpu %d: nvmlInit failed: %s", index, nvml_error(c, ret));
		dlclose(c->lib);
		c->lib = NULL;
		return -1;
	}
	ret = by_index((unsigned int)index, &c->device);
	if (ret != NVML_SUCCESS) {
		agent_err("gpu %d: no such GPU: %s", index, nvml_error(c, ret));
		gpu_close(c);
		return -1;
	}
	return 0;
}

int gpu_sample(struct gpu_collector *c, double *cmp_pct, double *mem_pct)
{
	struct nvml_utilization u;
	struct nvml_memory m;
	int ret;

	ret = c->util(c->device, &u);
	if (ret == NVML_SUCCESS)
		ret = c->meminfo(c->device, &m);
	if (ret != NVML_SUCCESS) {
		agent_err("gpu: NVML query failed: %s", nvml_error(c, ret));
		return -1;
	}
	*cmp_pct = u.gpu;
	*mem_pct = m.total ? 100.0 * (double)m.used / (double)m.total : 0;
	return 0;
}

void gpu_close(struct gpu_collector *c)
{
	if (!c->lib)
		return;
	c->shutdown();
	dlclose(c->lib);
	c->lib = NULL;
}
