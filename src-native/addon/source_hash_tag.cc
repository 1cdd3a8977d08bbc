// The source fingerprint (KNETSTAT_SOURCE_HASH, binding.gyp) as a string in the
// binary's read-only data: "KNETSTAT_SOURCE_HASH=0x1234abcdu". The addon exports the
// number as sourceHash; this copy lets test/native/prebuild.test.ts read it from
// every prebuild's bytes, arm64 and musl ones included, without loading them.
#define KNETSTAT_STRINGIFY_(x) #x
#define KNETSTAT_STRINGIFY(x) KNETSTAT_STRINGIFY_(x)

extern "C" __attribute__((used, visibility("default"))) const char knetstat_source_hash_tag[] =
    "KNETSTAT_SOURCE_HASH=" KNETSTAT_STRINGIFY(KNETSTAT_SOURCE_HASH);
