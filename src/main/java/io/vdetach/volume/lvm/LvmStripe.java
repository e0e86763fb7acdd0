package io.vdetach.volume.lvm;

import io.vdetach.extent.Layer;

/** One stripe area of a segment: where on which PV (as a volume layer) its first byte lies. */
record LvmStripe(Layer pv, long offset) {}
