// SPDX-License-Identifier: MIT
#include "schedule.h"

uint32_t schedule_after_success(uint32_t poll_interval, bool age_known, int64_t data_age_s)
{
	if (poll_interval > 0) return poll_interval;
	if (!age_known) return SCHEDULE_ECU_REFRESH_S;

	int64_t delay = SCHEDULE_AFTER_REFRESH_S - data_age_s;
	if (delay < SCHEDULE_FLOOR_S) delay = SCHEDULE_FLOOR_S;
	if (delay > SCHEDULE_AFTER_REFRESH_S) delay = SCHEDULE_AFTER_REFRESH_S;
	return (uint32_t)delay;
}

uint32_t schedule_after_failure(uint32_t poll_interval, uint32_t retry_interval, unsigned failures)
{
	uint32_t ceiling = poll_interval > 0 ? poll_interval : SCHEDULE_ECU_REFRESH_S;
	uint64_t delay = retry_interval;

	for (unsigned i = 1; i < failures && delay < ceiling; i++) delay *= 2;
	if (delay > ceiling) delay = ceiling;
	if (delay < retry_interval) delay = retry_interval;
	return (uint32_t)delay;
}
