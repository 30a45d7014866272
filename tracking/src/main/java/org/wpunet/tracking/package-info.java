/**
 * 3D grains from serial sections: the grains of each slice ({@link org.wpunet.tracking.SliceGrains}),
 * linking them across slices ({@link org.wpunet.tracking.GrainLinker}: {@link org.wpunet.tracking.CentroidLinker},
 * {@link org.wpunet.tracking.OverlapLinker}) into a 3D label volume ({@link org.wpunet.tracking.StackTracker}),
 * a seeded 3D watershed ({@link org.wpunet.tracking.WatershedTracker}), slice alignment
 * ({@link org.wpunet.tracking.SliceAlignment}) and 3D scores ({@link org.wpunet.tracking.TrackingScores}).
 * Exports and statistics live in the {@code export} and {@code stats} subpackages, the {@code track}
 * command in {@code cli}. See docs/tracking.md.
 */
package org.wpunet.tracking;
