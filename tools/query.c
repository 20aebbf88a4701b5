int aps_query_main(int argc, char **argv) { (void)argc; (void)argv; return 1; }
