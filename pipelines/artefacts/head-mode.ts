import { z } from 'zod';

export const SUPERVISED = 'supervised';
export const SEMI = 'semi-supervised';
/** How a head is trained: on the labelled sample only, or refitted with pseudo-labels. */
export const HeadMode = z.enum([SUPERVISED, SEMI]);
