# Eclipse Mosquitto 2 with the APsystems ECU plugin.
#
#   docker build -t mosquitto-aps-ecu .
#   docker run -d -p 1883:1883 -e APS_ECU_IP=192.168.1.42 mosquitto-aps-ecu
#
# The plugin is built by the image's own Alpine (musl) toolchain against the
# plugin headers of the image's Mosquitto release (packaging/mosquitto-headers:
# the image has no headers, and Alpine's mosquitto-dev may be another
# release), Alpine's cJSON, libyaml and libcurl, then copied into a clean copy of the
# same image.  The build steps are scripts/container-build.sh, which the tests
# also run, against a Mosquitto 2.1.2 broker built from source.
#
# The base is pinned to the release the tests run: to move it, follow
# packaging/mosquitto-headers/README.md (new headers, VERSION, and this tag).
ARG MOSQUITTO_IMAGE=eclipse-mosquitto:2.1.2-alpine

FROM ${MOSQUITTO_IMAGE} AS build
# mosquitto-dev for libmosquitto, the MQTT client library `aps-ecu forget`
# uses (the final image has the eclipse-mosquitto build's libmosquitto.so.1);
# the plugin itself is compiled against packaging/mosquitto-headers.
RUN apk add --no-cache build-base cmake pkgconf linux-headers mosquitto-dev cjson-dev yaml-dev curl-dev
WORKDIR /src
COPY CMakeLists.txt mosquitto.conf.example README.md LICENSE CHANGELOG.md ./
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
