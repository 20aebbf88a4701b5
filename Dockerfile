# Eclipse Mosquitto 2 with the APsystems ECU plugin.
#
#   docker build -t mosquitto-aps-ecu .
#   docker run -d -p 1883:1883 -e APS_ECU_IP=192.168.1.42 mosquitto-aps-ecu
#
# The plugin is built by the image's own Alpine (musl) toolchain against
# Alpine's mosquitto-dev, cJSON, libyaml and libcurl, then copied into a clean copy of
# the same image.  Pin a release with --build-arg MOSQUITTO_IMAGE=eclipse-mosquitto:2.0.NN.
# The build steps are scripts/container-build.sh, which the tests also run.
ARG MOSQUITTO_IMAGE=eclipse-mosquitto:2

FROM ${MOSQUITTO_IMAGE} AS build
RUN apk add --no-cache build-base cmake pkgconf linux-headers mosquitto-dev cjson-dev yaml-dev curl-dev
WORKDIR /src
COPY CMakeLists.txt mosquitto.conf.example ./
COPY cmake cmake/
COPY protocol protocol/
COPY common common/
COPY plugin plugin/
COPY tools tools/
COPY packaging packaging/
COPY scripts/container-build.sh scripts/
RUN sh scripts/container-build.sh /src /out /tmp/build

FROM ${MOSQUITTO_IMAGE}
# tzdata: the plugin reads the ECU's time zone from /usr/share/zoneinfo; libcurl:
# the ECU restart request.
RUN apk add --no-cache cjson yaml tzdata libcurl
COPY --from=build /out/usr/lib/mosquitto_aps_ecu.so /usr/lib/
COPY --from=build /out/usr/bin/aps-ecu /usr/bin/
COPY packaging/mosquitto-container.conf /mosquitto/config/mosquitto.conf
