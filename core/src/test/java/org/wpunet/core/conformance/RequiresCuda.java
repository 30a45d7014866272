package org.wpunet.core.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that runs on cuda:0: tagged {@code gpu}, each test skipped (and reported as
 * skipped) where CUDA is unavailable, the class failed instead under {@code -Dwpunet.requireGpu=true}
 * ({@link CudaRequirement}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag("gpu")
@ExtendWith(CudaRequirement.class)
public @interface RequiresCuda {}
