{
  "targets": [
    {
      "target_name": "scratchnet_native",
      "sources": ["kernels.c"],
      "cflags": ["-O3", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
