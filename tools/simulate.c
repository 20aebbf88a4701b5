int aps_simulate_main(int argc, char **argv) { (void)argc; (void)argv; return 1; }
