package org.wpunet.core;

/** Reductions over a set of dims. ARGMAX/ARGMIN reduce one dim and return I32 indices (first hit).
 * SUM_SQUARES sums x^2 (squared L2 norm) without materialising the squares. */
public enum ReduceOp { SUM, MAX, MIN, ARGMAX, ARGMIN, SUM_SQUARES }
