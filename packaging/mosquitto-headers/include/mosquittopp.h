#include <mosquitto/libmosquittopp.h>
#warning "Please replace '#include <mosquittopp.h> with #include <mosquitto/libmosquittopp.h>"
