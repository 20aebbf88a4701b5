/* placeholder */ typedef int aps_placeholder_t;
