import { sleep } from '../../../simulator/core/clock.ts';
import { ManualClock } from '../../../simulator/core/manual-clock.ts';
import { describeManualClock } from '../../support/manual-clock-suite.ts';

describeManualClock({ ManualClock, sleep });
