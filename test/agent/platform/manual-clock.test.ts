import { sleep } from '../../../agent/platform/clock.ts';
import { ManualClock } from '../../../agent/platform/manual-clock.ts';
import { describeManualClock } from '../../support/manual-clock-suite.ts';

describeManualClock({ ManualClock, sleep });
