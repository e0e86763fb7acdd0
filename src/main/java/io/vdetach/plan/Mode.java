package io.vdetach.plan;

/** --mode: share where possible (auto), share or fail (share), or always copy (copy). */
public enum Mode { AUTO, SHARE, COPY }
