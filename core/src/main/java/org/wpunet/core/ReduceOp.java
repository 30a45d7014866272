package org.wpunet.core;

/** Reductions over a set of dims. ARGMAX/ARGMIN reduce one dim and return I32 indices (first hit). */
public enum ReduceOp { SUM, MAX, MIN, ARGMAX, ARGMIN }
