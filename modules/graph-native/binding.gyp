{
  "targets": [
    {
      "target_name": "graph_native",
      "sources": [
        "src/rank_module.cc", "src/rank_napi.cc", "src/rank_job.cc", "src/rank_prepare.cc",
        "src/rank_update.cc", "src/rank_sweep.cc", "src/merkle.cc", "src/sort.cc"
      ],
      "include_dirs": ["../../node_modules/node-addon-api"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-strict-aliasing"],
      "cflags": ["-O3"]
    },
    {
      "target_name": "store_native",
      "sources": ["src/sha256batch.cc"],
      "include_dirs": ["../../node_modules/node-addon-api"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-strict-aliasing"],
      "cflags": ["-O3"]
    }
  ]
}
