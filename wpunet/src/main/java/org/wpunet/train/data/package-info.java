/**
 * The training data pipeline: samples of a serial stack ({@link org.wpunet.train.data.SliceDataset}:
 * augmented crops for training, whole tiles for validation, with targets, weight maps and the
 * previous-slice input), their batching on background threads
 * ({@link org.wpunet.train.data.DataLoader}, deterministic for a seed) and the choice of slices
 * ({@link org.wpunet.train.data.TrainingSplits}).
 */
package org.wpunet.train.data;
