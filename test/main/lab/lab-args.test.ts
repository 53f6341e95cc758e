/** The command-line pieces evaluate and train share: seed lists and the execution settings after `--`. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/main/cli.js';
import { formatSeeds, parseEpisodeSettings, parseSeeds } from '../../../src/main/lab/lab-args.js';

describe('parseSeeds', () => {
  it('takes ranges and lists, in the order given', () => {
    expect(parseSeeds('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds('1,5,9')).toEqual([1, 5, 9]);
    expect(parseSeeds(' 10-12, 3 ,7-7')).toEqual([10, 11, 12, 3, 7]);
    expect(parseSeeds('0')).toEqual([0]);
    expect(parseSeeds('4294967295')).toEqual([4_294_967_295]);
  });
  it('refuses what is not a seed list', () => {
    expect(() => parseSeeds('')).toThrow("--seeds lists no seed: ''");
    expect(() => parseSeeds(',')).toThrow('--seeds lists no seed');
    expect(() => parseSeeds('5-1')).toThrow('--seeds: range 5-1 runs backwards');
    expect(() => parseSeeds('1-3,2')).toThrow('--seeds lists seed 2 twice');
    expect(() => parseSeeds('a-b')).toThrow("--seeds takes seeds and ranges such as 1-20 or 1,5,9, got 'a-b'");
    expect(() => parseSeeds('-3')).toThrow('--seeds takes seeds and ranges');
    expect(() => parseSeeds('1.5')).toThrow('--seeds takes seeds and ranges');
    expect(() => parseSeeds('4294967296')).toThrow('--seeds: seed 4294967296 is above 4294967295');
    expect(() => parseSeeds('0-100000')).toThrow('--seeds lists more than 100,000 seeds');
  });
});

describe('training seeds and settings', () => {
  it('seeds: lists and ranges, printed back as ranges', () => {
    expect(parseSeeds('1001-1004,1010', 'train-seeds', 10_000)).toEqual([1001, 1002, 1003, 1004, 1010]);
    expect(parseSeeds('7', 'train-seeds', 10_000)).toEqual([7]);
    expect(formatSeeds([1001, 1002, 1003, 1010, 1012, 1013])).toBe('1001-1003,1010,1012-1013');
    expect(() => parseSeeds('1004-1001', 'train-seeds', 10_000)).toThrow(/runs backwards/);
    expect(() => parseSeeds('1001,1001', 'train-seeds', 10_000)).toThrow(/seed 1001 twice/);
    expect(() => parseSeeds('a-b', 'train-seeds', 10_000)).toThrow(UsageError);
    expect(() => parseSeeds('-5', 'train-seeds', 10_000)).toThrow(UsageError);
    expect(() => parseSeeds('1-20000', 'train-seeds', 10_000)).toThrow(/more than 10,000 seeds/);
  });

  it('settings after -- as run takes them, checked the way an episode applies them', () => {
    expect(parseEpisodeSettings(['--throttle-ms', '100', '--price-mode=mid', '--no-group-auto-reset', '--contract-size', '2'])).toEqual({
      'throttle-ms': '100', 'price-mode': 'mid', 'group-auto-reset': 'false', 'contract-size': '2',
    });
    expect(parseEpisodeSettings(['--group-auto-reset'])).toEqual({ 'group-auto-reset': 'true' });
    expect(() => parseEpisodeSettings(['--policy', 'hold'])).toThrow(/does not apply to an episode/);
    expect(() => parseEpisodeSettings(['--throttle-ms'])).toThrow(/needs a value/);
    expect(() => parseEpisodeSettings(['--throttle-ms', 'soon'])).toThrow(UsageError);
    expect(() => parseEpisodeSettings(['throttle-ms'])).toThrow(/expected --flag/);
  });
});

describe('parseEpisodeSettings', () => {
  it('evaluate\'s settings after -- as an episode reads them', () => {
    expect(parseEpisodeSettings(['--throttle-ms', '500', '--no-group-auto-reset', '--price-mode=aggressive'])).toEqual({
      'price-mode': 'aggressive', 'throttle-ms': '500', 'group-auto-reset': 'false',
    });
    expect(parseEpisodeSettings([])).toEqual({});
  });

  it('refuses a setting the command sets itself', () => {
    expect(() => parseEpisodeSettings(['--policy', 'hold'], { policy: '--policy' }, 'evaluate')).toThrow("setting after --: --policy is evaluate's to set (--policy)");
    expect(() => parseEpisodeSettings(['--warp-speed', '9'])).toThrow("setting after --: Unknown option '--warp-speed'");
  });
});
